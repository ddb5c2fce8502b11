"""Talk to the assistant in a terminal with the same core: lines in, streamed answers out."""

from __future__ import annotations

import asyncio
import itertools
import sys
import uuid
from pathlib import Path
from typing import TextIO

from bot.commands import handle_command
from bot.engine import Engine
from bot.sanitize import safe_filename
from bot.types import Attachment, InboundMessage, ReplyLimits
from storage.records import Job

PLATFORM = "console"


class ConsoleReply:
    """Prints an answer as it grows: each edit prints only what was added."""

    def __init__(self, out: TextIO, files_dir: Path) -> None:
        self._out = out
        self._files_dir = files_dir
        self._shown: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._wrote_any = False

    def _write(self, text: str) -> None:
        if text:
            self._out.write(text)
            self._out.flush()
            self._wrote_any = True

    async def post(self, text: str) -> str:
        ref = str(next(self._ids))
        if self._shown and not text.startswith("\n"):
            self._write("\n")
        self._shown[ref] = text
        self._write(text)
        return ref

    async def edit(self, ref: str, text: str) -> None:
        shown = self._shown.get(ref, "")
        if text.startswith(shown):
            self._write(text[len(shown) :])
        else:
            # Rare: the text changed behind the cursor (e.g. links rewritten at the end).
            common = 0
            for a, b in zip(shown, text, strict=False):
                if a != b:
                    break
                common += 1
            self._write("\n" + text[common:].lstrip("\n"))
        self._shown[ref] = text

    async def repost(self, ref: str, text: str) -> str | None:
        await self.edit(ref, text)  # a terminal has no budget to route around
        return ref

    async def upload(self, filename: str, data: bytes) -> None:
        self._files_dir.mkdir(parents=True, exist_ok=True)
        path = self._files_dir / safe_filename(filename)
        path.write_bytes(data)
        self._write(f"\n[file saved: {path}]\n")

    async def set_status(self, status: str | None) -> None:
        return None

    async def close(self) -> None:
        self._out.write("\n")
        self._out.flush()


class ConsolePlatform:
    name = PLATFORM
    limits = ReplyLimits(placeholder="", file_link_note=None)

    def __init__(self, out: TextIO = sys.stdout, files_dir: Path = Path("assistant-files")) -> None:
        self._out = out
        self._files_dir = files_dir

    def reply_target(self, job: Job) -> ConsoleReply:
        return ConsoleReply(self._out, self._files_dir)

    def budget_key(self, job: Job) -> str:
        return PLATFORM

    async def download(self, attachment: Attachment) -> bytes:
        return await asyncio.to_thread(Path(attachment.url).read_bytes)


def parse_line(line: str, *, user: str = "local") -> InboundMessage:
    """A console line; words like ``@data.csv`` that name existing files are attachments."""
    words, attachments = [], []
    for word in line.split(" "):
        path = Path(word[1:]).expanduser() if word.startswith("@") and len(word) > 1 else None
        if path is not None and path.is_file():
            name = safe_filename(path.name)
            attachments.append(Attachment(name, size=path.stat().st_size, url=str(path)))
        else:
            words.append(word)
    return InboundMessage(
        platform=PLATFORM,
        workspace="local",
        channel="console",
        user=user,
        text=" ".join(words).strip(),
        event_id=uuid.uuid4().hex,
        attachments=tuple(attachments),
    )


async def run_console(
    engine: Engine,
    source: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    files_dir: Path = Path("assistant-files"),
) -> None:
    """Read lines until end of input, then wait for every answer before returning. Files a
    command's reply carries (an export, a chart) are saved in ``files_dir``."""
    interactive = source.isatty()
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            await engine.wait_idle()
            out.write("> ")
            out.flush()
        line = await loop.run_in_executor(None, source.readline)
        if not line:
            break
        line = line.rstrip("\n")
        if not line.strip():
            continue
        message = parse_line(line)
        if message.text.startswith("/"):
            if message.text in ("/quit", "/exit"):
                break
            # The person at the terminal runs the bot: they are its admin.
            reply = await handle_command(engine, message, message.text[1:], is_admin=True)
            out.write(reply.text + "\n")
            for file in reply.files:
                path = await asyncio.to_thread(_save, files_dir, file.filename, file.data)
                out.write(f"[file saved: {path}]\n")
            out.flush()
            continue
        await engine.accept(message)
    await engine.wait_idle()


def _save(folder: Path, filename: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(filename).name
    path.write_bytes(data)
    return path
