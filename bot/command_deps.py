"""What the commands need, given to them by the composition root (never the engine itself)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.backends import Backends
from bot.config import Settings
from bot.functions import FunctionRegistry
from bot.language import Languages
from bot.ports import Store
from bot.types import Platform


class Answers(Protocol):
    """The person's answers in progress and waiting (implemented by the engine)."""

    async def reset(self, platform: str, workspace: str, user: str) -> int: ...

    async def retry_last_failed(self, platform: str, workspace: str, user: str) -> bool: ...

    async def user_status(self, platform: str, workspace: str, user: str) -> tuple[bool, int]:
        """(an answer in progress, how many messages wait behind it)."""
        ...

    async def stop_answer(self, platform: str, workspace: str, user: str) -> bool: ...


@dataclass(frozen=True)
class CommandDeps:
    store: Store
    settings: Settings
    backends: Backends
    functions: FunctionRegistry
    platforms: Mapping[str, Platform]
    languages: Languages
    answers: Answers
