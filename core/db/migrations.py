"""Forward-only migrations: numbered plain SQL files in sql/migrations, each applied once."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from core.db.base import QUERIES
from core.errors import StartupError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "sql" / "migrations"
_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")

logger = logging.getLogger(__name__)
CONNECT_TIMEOUT = 10.0


class MigrationError(StartupError):
    """The migration files and the database's record of them disagree."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str


def read_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in order; a misnamed or duplicated version is an error."""
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_snake_case.sql")
        version = int(match["version"])
        if version in migrations:
            raise MigrationError(f"{path.name}: version {version} is used twice")
        body = path.read_bytes()
        migrations[version] = Migration(
            version=version,
            name=match["name"],
            sql=body.decode(),
            checksum=hashlib.sha256(body).hexdigest(),
        )
    return [migrations[v] for v in sorted(migrations)]


async def apply_migrations(dsn: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the files not applied yet, each in its own transaction; returns their names."""
    migrations = read_migrations(directory)
    conn = await _connect(dsn)
    try:
        await QUERIES.lock_migrations(conn)
        try:
            return await _apply_pending(conn, migrations)
        finally:
            await QUERIES.unlock_migrations(conn)
    finally:
        await conn.close()


async def _connect(dsn: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        # Where, not the whole URL: it may hold a password.
        url = urlsplit(dsn)
        where = f"{url.hostname or 'localhost'}:{url.port or 5432}{url.path}"
        reason = str(exc) or type(exc).__name__
        raise StartupError(
            f"Cannot connect to PostgreSQL at {where} ({reason}). Check DATABASE_URL, or leave "
            "it unset to use the embedded server."
        ) from None


async def _apply_pending(conn: asyncpg.Connection, migrations: list[Migration]) -> list[str]:
    await QUERIES.create_migrations_table(conn)
    applied = {r["version"]: r async for r in QUERIES.list_applied_migrations(conn)}
    known = {m.version for m in migrations}
    if unknown := sorted(set(applied) - known):
        # A newer release migrated this database; running older code on it is unsafe.
        raise MigrationError(f"the database has migrations this code lacks: {unknown}")
    done: list[str] = []
    for migration in migrations:
        label = f"{migration.version:04d}_{migration.name}"
        record = applied.get(migration.version)
        if record is not None:
            if record["checksum"] != migration.checksum:
                raise MigrationError(
                    f"{label}.sql was edited after it was applied; "
                    "applied migrations are never edited, add a new one instead"
                )
            continue
        async with conn.transaction():
            await conn.execute(migration.sql)
            await QUERIES.record_migration(
                conn, version=migration.version, name=migration.name, checksum=migration.checksum
            )
        logger.info("applied migration", extra={"migration": label})
        done.append(label)
    return done
