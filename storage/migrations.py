"""Numbered schema migrations: ``schema/NNNN_name.sql``, one history for every database,
applied in order, once each, each in its own transaction.

A migration is written with PostgreSQL's column types; the dialect rewrites what its database
spells otherwise (``Dialect.ddl``). To change the schema, add the next numbered file.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.dialect import Dialect

log = logging.getLogger(__name__)

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


def load_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("storage").joinpath("schema").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {versions}")
    return found


async def migrate(db: Dialect, target: int | None = None) -> None:
    """Apply the pending migrations (up to ``target``). Processes that start together take
    turns: each migration's transaction waits for the others, then reads the version again."""
    current = await db.version(db)
    applied: list[int] = []
    for migration in load_migrations():
        if migration.version <= current:
            continue
        if target is not None and migration.version > target:
            break
        async with db.transaction() as tx:
            await db.lock_migrations(tx)
            if await db.version(tx) >= migration.version:
                continue
            for statement in migration.statements():
                await tx.execute(db.ddl(statement))
            await db.set_version(tx, migration)
        applied.append(migration.version)
        log.debug("applied migration %s", migration.name)
    if applied:
        log.info("database schema upgraded from version %d to %d", applied[0] - 1, applied[-1])
