"""Numbered schema migrations: ``schema/NNNN_name.sql``, applied in order, once each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        body = "\n".join(
            line for line in self.sql.splitlines() if not line.lstrip().startswith("--")
        )
        return [s.strip() for s in body.split(";") if s.strip()]


def load_migrations(dialect: str | None = None) -> list[Migration]:
    """The portable ``schema/NNNN_*.sql``; for a dialect, ``schema/<dialect>/NNNN_*.sql``
    replaces the portable file with the same number (a dialect adds no versions of its own)."""
    schema = resources.files("storage").joinpath("schema")
    by_version = {m.version: m for m in _scan(schema)}
    for override in _scan(schema.joinpath(dialect)) if dialect else []:
        if override.version not in by_version:
            raise RuntimeError(f"{dialect}/{override.name} replaces no portable migration")
        by_version[override.version] = override
    found = sorted(by_version.values(), key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {versions}")
    return found


def _scan(folder: Traversable) -> list[Migration]:
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return found
