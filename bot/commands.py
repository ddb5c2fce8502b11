"""Commands, implemented once for every platform; adapters only render the reply."""

from __future__ import annotations

from bot import knowledge
from bot.engine import Engine
from bot.types import InboundMessage
from storage.records import WORKSPACE_DEFAULT

HELP = """I'm your AI assistant. Just write to me; attach files for me to read or analyse.
Commands:
  /help   this text
  /reset  start a new conversation (I forget the previous one)
  /retry  ask your last failed question again"""

ADMIN_HELP = """Admin commands:
  /kb add [workspace]       add the attached documents to this channel's knowledge base
                            (or the whole workspace's)
  /kb list [workspace]      list the documents
  /kb remove NAME [workspace]"""

NOT_ALLOWED = "Only admins can change the knowledge base."


async def run_command(
    engine: Engine, message: InboundMessage, line: str, *, is_admin: bool = False
) -> str:
    """The reply to a command line (without the slash), e.g. ``reset`` or ``kb list``."""
    words = line.strip().split()
    name = words[0].lower() if words else "help"
    args = words[1:]
    if name == "help":
        return HELP + ("\n" + ADMIN_HELP if is_admin else "")
    if name == "reset":
        await engine.reset(message.platform, message.workspace, message.user)
        return "Started a new conversation. What would you like to talk about?"
    if name == "retry":
        if await engine.retry_last_failed(message.platform, message.workspace, message.user):
            return "Trying your last question again…"
        return "There is no failed question to retry."
    if name == "kb":
        if not is_admin:
            return NOT_ALLOWED
        return await _knowledge(engine, message, args)
    return f"Unknown command /{name}. Try /help."


async def _knowledge(engine: Engine, message: InboundMessage, args: list[str]) -> str:
    action = args[0].lower() if args else "list"
    rest = args[1:]
    channel = message.channel
    if rest and rest[-1].lower() == "workspace":
        channel, rest = WORKSPACE_DEFAULT, rest[:-1]
    if action == "add":
        lines = await knowledge.add_documents(
            store=engine.store,
            backend=engine.backend,
            settings=engine.settings,
            platform=engine.platforms[message.platform],
            workspace=message.workspace,
            channel=channel,
            attachments=message.attachments,
            added_by=message.user,
        )
        return "\n".join(lines)
    if action == "list":
        return await knowledge.list_documents(
            engine.store, message.platform, message.workspace, channel
        )
    if action == "remove" and rest:
        return await knowledge.remove_document(
            engine.store,
            engine.backend,
            message.platform,
            message.workspace,
            channel,
            " ".join(rest),
        )
    return "Usage: /kb add|list|remove NAME [workspace]"
