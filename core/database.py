"""What every store shares: the named queries, a pool, and bounded waits on the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosql
import asyncpg

from core.errors import DatabaseUnavailable

QUERIES_DIR = Path(__file__).resolve().parent.parent / "sql" / "queries"
QUERIES = aiosql.from_path(QUERIES_DIR, "asyncpg")

# What a dead, restarting or unreachable server looks like from asyncpg.
UNAVAILABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.OperatorInterventionError,
    asyncpg.InterfaceError,
)


async def rows(result: AsyncIterator[asyncpg.Record]) -> list[asyncpg.Record]:
    # aiosql streams multi-row queries; every caller here wants the whole (small) result.
    return [row async for row in result]


class Database:
    """A pool and the timeout every call to it is bounded by."""

    def __init__(self, pool: asyncpg.Pool, *, timeout: float = 2.0) -> None:
        self._pool = pool
        self._timeout = timeout

    @asynccontextmanager
    async def _guard(self, timeout: float | None = None) -> AsyncIterator[None]:
        # Every call is bounded, so a caller hears "try again" instead of silence.
        try:
            async with asyncio.timeout(timeout or self._timeout):
                yield
        except UNAVAILABLE as exc:
            raise DatabaseUnavailable(
                "Our booking system isn't answering right now; nothing was changed."
            ) from exc
