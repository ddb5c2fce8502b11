"""Talk to the assistant in a terminal with the same core: lines in, streamed answers out."""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys
import uuid
from pathlib import Path
from typing import TextIO

import platformdirs
from rich.console import Console

from adapters.console_input import LineReader, first_of, next_interrupt
from adapters.console_rich import RichReply
from bot.buttons import Buttons
from bot.command_deps import CommandDeps
from bot.commands import handle_command
from bot.engine import Engine
from bot.sanitize import safe_filename
from bot.steps import Steps
from bot.types import Attachment, InboundMessage, ReplyLimits, ReplyTarget
from storage.records import Job

PLATFORM = "console"


class ConsoleReply:
    """Prints an answer as it grows: each edit prints only what was added."""

    budget_key = PLATFORM

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

    def show_steps(self, steps: Steps, lang: str = "en") -> None:
        pass  # the steps are not shown here

    def open_refs(self) -> list[str]:
        return []

    def set_buttons(self, buttons: Buttons | None) -> None:
        return None  # no buttons here

    async def set_status(self, status: str | None) -> None:
        return None

    async def close(self) -> None:
        self._out.write("\n")
        self._out.flush()


class ConsolePlatform:
    name = PLATFORM
    limits = ReplyLimits(placeholder="", file_link_note=None)

    def __init__(
        self, out: TextIO = sys.stdout, files_dir: Path | None = None, *, rich: bool = False
    ) -> None:
        """``files_dir``: where generated files are saved (default: a folder under the
        user's data directory); ``rich``: render answers for a terminal."""
        self._out = out
        self._files_dir = files_dir if files_dir is not None else default_files_dir()
        self._console = Console(file=out, force_terminal=True) if rich else None
        self._open: set[RichReply] = set()

    def reply_target(self, job: Job) -> ReplyTarget:
        if self._console is None:
            return ConsoleReply(self._out, self._files_dir)
        reply = _TrackedRichReply(self._console, self._files_dir, self._open)
        self._open.add(reply)
        return reply

    async def close(self) -> None:
        """Leave the terminal tidy: end any answer display still open (an answer cut off
        at exit)."""
        for reply in list(self._open):
            await reply.close()

    async def download(self, attachment: Attachment) -> bytes:
        return await asyncio.to_thread(Path(attachment.url).read_bytes)


def default_files_dir() -> Path:
    return Path(platformdirs.user_data_dir("assistant-bot")) / "files"


class _TrackedRichReply(RichReply):
    budget_key = PLATFORM

    def __init__(self, console: Console, files_dir: Path, open_replies: set[RichReply]) -> None:
        super().__init__(console, files_dir)
        self._open_replies = open_replies

    async def close(self) -> None:
        self._open_replies.discard(self)
        await super().close()


def missing_files(line: str) -> list[str]:
    """Words like ``@data.csv`` that look like a file (a dot or a slash) but name none."""
    return [
        word[1:]
        for word in line.split(" ")
        if word.startswith("@")
        and ("." in word or "/" in word)
        and not Path(word[1:]).expanduser().is_file()
    ]


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


QUIT_HELP = "  /quit    leave (also Ctrl-D; Ctrl-C stops an answer in progress and leaves)"


async def run_console(
    engine: Engine,
    commands: CommandDeps,
    source: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    *,
    welcome: str | None = None,
    files_dir: Path | None = None,
) -> None:
    """Read lines until end of input, ``/quit`` or Ctrl-C, then wait for every answer before
    returning (after Ctrl-C: stop the answer in progress first). Files a command's reply
    carries (an export, a chart) are saved in ``files_dir`` (default: the user data folder's)."""
    interactive = source.isatty()
    lines = LineReader(source)
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, interrupted.set)
    except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
        pass
    if interactive and welcome:
        out.write(welcome + "\n")
        out.flush()
    try:
        while not interrupted.is_set():
            if interactive:
                if not await _answered(engine, interrupted):
                    break
                out.write("> ")
                out.flush()
            line = await first_of(lines.next(), interrupted)
            if not line:  # end of input (""), or Ctrl-C (None)
                break
            line = line.rstrip("\n")
            if not line.strip():
                continue
            for name in missing_files(line):
                out.write(f"(no file {name}: the message is sent without it)\n")
                out.flush()
            message = parse_line(line)
            if message.text.startswith("/"):
                if message.text in ("/quit", "/exit"):
                    break
                # In order: a command after a question (``/reset``) waits for its answer.
                if not await _answered(engine, interrupted):
                    break
                # The person at the terminal runs the bot: they are its admin.
                reply = await handle_command(commands, message, message.text[1:], is_admin=True)
                text = reply.text
                if message.text.split()[0] == "/help":
                    text = text.rstrip("\n") + "\n" + QUIT_HELP
                out.write(text + "\n")
                for file in reply.files:
                    folder = files_dir if files_dir is not None else default_files_dir()
                    path = await asyncio.to_thread(_save, folder, file.filename, file.data)
                    out.write(f"[file saved: {path}]\n")
                out.flush()
                continue
            await engine.accept(message)
        await _answered(engine, interrupted)
        if interrupted.is_set():
            # Ctrl-C: stop the answer in progress (what was shown stays, marked stopped).
            if await engine.stop_answer(PLATFORM, "local", "local"):
                await first_of(engine.wait_idle(), next_interrupt(loop))
            if interactive:
                out.write("\n")
                out.flush()
    finally:
        try:
            loop.remove_signal_handler(signal.SIGINT)
        except (NotImplementedError, RuntimeError):
            pass


def _save(folder: Path, filename: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_filename(filename)
    path.write_bytes(data)
    return path


async def _answered(engine: Engine, interrupted: asyncio.Event) -> bool:
    """Wait until every answer is done; False if Ctrl-C came first."""
    await first_of(engine.wait_idle(), interrupted)
    return not interrupted.is_set()
