"""The PostgreSQL schema: plain SQL migrations, applied under an advisory lock.

Migrations are the files ``postgres_migrations/NNNN_name.sql`` next to this module,
applied in order of ``NNNN``; the applied versions are rows of
``wsrouter_schema_migrations``. Several nodes starting at once would race on
``CREATE TABLE`` (measured: half of three concurrent start-ups failed with a unique
violation on ``pg_type``), so the whole migration runs in one transaction that first
takes a transaction-scoped advisory lock: the nodes take turns, and the later ones
find nothing left to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from psycopg import AsyncConnection
from psycopg.rows import TupleRow

MIGRATION_LOCK = 0x7773_7274_6D69_6772
"""The advisory lock key that migrations hold (``wsrtmigr`` in ASCII)."""

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    """One SQL file: its version (the ``NNNN`` prefix) and its statements."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with this wsrouter, in order; versions are 1, 2, … with no gap."""
    folder = resources.files("wsrouter.store").joinpath("postgres_migrations")
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match is not None:
            found.append(Migration(int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(
            f"PostgreSQL migrations are not numbered 1..n: {[m.name for m in found]}"
        )
    return found


async def migrate(db: AsyncConnection[TupleRow]) -> int:
    """Bring the schema up to date in one transaction; return the versions applied now.

    Refuses a database whose schema is newer than this wsrouter knows.
    """
    steps = migrations()
    async with db.transaction():
        await db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await db.execute(
            "CREATE TABLE IF NOT EXISTS wsrouter_schema_migrations ("
            " version integer PRIMARY KEY,"
            " name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor = await db.execute(
            "SELECT coalesce(max(version), 0) FROM wsrouter_schema_migrations"
        )
        row = await cursor.fetchone()
        current = int(row[0]) if row is not None else 0
        if current > len(steps):
            raise RuntimeError(
                f"the database has schema version {current}; this wsrouter knows up to "
                f"{len(steps)} (upgrade wsrouter, or use another database)"
            )
        for step in steps[current:]:
            # No parameters: the file may hold many statements (simple query protocol).
            await db.execute(step.sql.encode())
            await db.execute(
                "INSERT INTO wsrouter_schema_migrations (version, name) VALUES (%s, %s)",
                (step.version, step.name),
            )
    return len(steps) - current
