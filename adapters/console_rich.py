"""An answer rendered for a terminal with ``rich``: Markdown (headings, code blocks, tables)
redrawn in place as it streams, a spinner with the model's status while it works, and
``sandbox:`` links to generated files replaced by where the file was saved."""

from __future__ import annotations

import re
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markdown import Markdown
from rich.spinner import Spinner

from bot.buttons import Buttons
from bot.sanitize import safe_filename
from bot.steps import Steps

_SANDBOX_LINK = re.compile(r"\[([^\]]*)\]\(sandbox:/mnt/data/([^)\s]*)\)")
_SANDBOX_URL = re.compile(r"sandbox:/mnt/data/([^\s)\]]+)")


def with_saved_paths(text: str, saved: dict[str, Path]) -> str:
    """``[plot.png](sandbox:/mnt/data/plot.png)`` → ``plot.png (`/home/…/files/plot.png`)``;
    a file not saved (yet) keeps just its name."""

    def where(name: str) -> str:
        path = saved.get(Path(name).name)
        return f" (`{path}`)" if path is not None else ""

    text = _SANDBOX_LINK.sub(lambda m: f"**{m.group(1)}**{where(m.group(2))}", text)
    return _SANDBOX_URL.sub(lambda m: f"{m.group(1)}{where(m.group(1))}", text)


class RichReply:
    """One answer, drawn by a ``Live`` display that ends when the answer does."""

    def __init__(self, console: Console, files_dir: Path) -> None:
        self._console = console
        self._files_dir = files_dir
        self._pages: dict[str, str] = {}
        self._status: str | None = None
        self._saved: dict[str, Path] = {}
        self._live: Live | None = None

    def _renderable(self, *, final: bool = False) -> RenderableType:
        text = with_saved_paths("\n\n".join(self._pages.values()), self._saved)
        parts: list[RenderableType] = [Markdown(text)] if text.strip() else []
        if self._status and not final:
            parts.append(Spinner("dots", text=self._status, style="dim"))
        unlinked = [p for n, p in self._saved.items() if n not in text]
        parts.extend(f"[dim]file saved: {path}[/dim]" for path in unlinked)
        return Group(*parts)

    def _show(self) -> None:
        if self._live is None:
            self._live = Live(
                self._renderable(),
                console=self._console,
                refresh_per_second=8,
                vertical_overflow="visible",
            )
            self._live.start()
        else:
            self._live.update(self._renderable())

    async def post(self, text: str) -> str:
        ref = str(len(self._pages) + 1)
        self._pages[ref] = text
        self._show()
        return ref

    async def edit(self, ref: str, text: str) -> None:
        self._pages[ref] = text
        self._show()

    async def repost(self, ref: str, text: str) -> str | None:
        await self.edit(ref, text)  # a terminal has no budget to route around
        return ref

    async def upload(self, filename: str, data: bytes) -> None:
        self._files_dir.mkdir(parents=True, exist_ok=True)
        path = (self._files_dir / safe_filename(filename)).resolve()
        path.write_bytes(data)
        self._saved[path.name] = path
        self._show()

    async def set_status(self, status: str | None) -> None:
        self._status = status
        if self._live is not None or status:
            self._show()

    def show_steps(self, steps: Steps, lang: str = "en") -> None:
        pass  # the steps are not shown here

    def open_refs(self) -> list[str]:
        return []  # a terminal has no message left "being written" after a crash

    def set_buttons(self, buttons: Buttons | None) -> None:
        return None  # a terminal has no buttons

    async def close(self) -> None:
        if self._live is None:
            return
        self._live.update(self._renderable(final=True), refresh=True)
        self._live.stop()
        self._live = None
