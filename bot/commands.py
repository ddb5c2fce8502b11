"""Commands everyone may use, implemented once for every platform."""

from __future__ import annotations

from bot.engine import Engine
from bot.types import InboundMessage

HELP = """I'm your AI assistant. Just write to me; attach files for me to read or analyse.
Commands:
  /help   this text
  /reset  start a new conversation (I forget the previous one)
  /retry  ask your last failed question again"""


async def run_command(engine: Engine, message: InboundMessage, name: str) -> str:
    """The reply to a command (``name`` without the slash)."""
    name = name.strip().lower()
    if name == "help":
        return HELP
    if name == "reset":
        await engine.reset(message.platform, message.workspace, message.user)
        return "Started a new conversation. What would you like to talk about?"
    if name == "retry":
        if await engine.retry_last_failed(message.platform, message.workspace, message.user):
            return "Trying your last question again…"
        return "There is no failed question to retry."
    return f"Unknown command /{name}. Try /help."
