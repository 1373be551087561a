"""What every store shares: the named queries, a pool, and bounded waits on the database."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import aiosql
import asyncpg
from prometheus_client import Counter

from core.errors import DatabaseUnavailable

QUERIES_DIR = Path(__file__).resolve().parents[2] / "sql" / "queries"
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


# Counted in every process; the voice worker serves it with its metrics (docs/operations.md).
TIMEOUTS = Counter(
    "receptionist_db_timeouts", "Database calls that did not answer within DB_TIMEOUT_SECONDS."
)
NOT_ANSWERING = "Our booking system isn't answering right now; nothing was changed."
P = ParamSpec("P")
R = TypeVar("R")
D = TypeVar("D", bound="Database")


def bounded(
    method: Callable[Concatenate[D, P], Awaitable[R]],
) -> Callable[Concatenate[D, P], Awaitable[R]]:
    """Answer within the store's bound (DB_TIMEOUT_SECONDS), whatever the connection is doing.

    Cancelling a query on a server that has stopped answering waits on that server (asyncpg
    asks it to cancel and waits for the connection), which took a frozen database's callers
    twice the bound. So the work runs in its own task: the caller stops waiting at the bound,
    and the task is cancelled and cleans up in the background.
    """

    @functools.wraps(method)
    async def within_bound(store: D, /, *args: P.args, **kwargs: P.kwargs) -> R:
        work = asyncio.ensure_future(method(store, *args, **kwargs))
        try:
            done, _ = await asyncio.wait({work}, timeout=store._timeout)
        except asyncio.CancelledError:
            store._abandon(work)
            raise
        if work in done:
            return work.result()
        store._abandon(work)
        TIMEOUTS.inc()
        raise DatabaseUnavailable(NOT_ANSWERING)

    return within_bound


async def rows(result: AsyncIterator[asyncpg.Record]) -> list[asyncpg.Record]:
    # aiosql streams multi-row queries; every caller here wants the whole (small) result.
    return [row async for row in result]


class Database:
    """A pool and the timeout every call to it is bounded by."""

    def __init__(self, pool: asyncpg.Pool, *, timeout: float = 2.0) -> None:
        self._pool = pool
        self._timeout = timeout
        # Work given up on at the bound, kept referenced until its cleanup has finished.
        self._abandoned: set[asyncio.Future[Any]] = set()

    def _abandon(self, work: asyncio.Future[Any]) -> None:
        work.cancel()
        self._abandoned.add(work)
        work.add_done_callback(self._abandoned.discard)
        # Its outcome no longer matters to anyone; retrieving it keeps asyncio quiet.
        work.add_done_callback(lambda done: done.cancelled() or done.exception())

    @bounded
    async def ping(self) -> bool:
        """Raises DatabaseUnavailable unless the database answers."""
        async with self._guard():
            return bool(await QUERIES.ping(self._pool))

    async def _write(
        self,
        query: Callable[..., Awaitable[Any]],
        refusal: Callable[[asyncpg.PostgresError], Exception],
        **params: Any,
    ) -> asyncpg.Record:
        """One row written by `query`; what the database refuses (a constraint, the migrations'
        own errors) raised as `refusal` says it means to the caller."""
        try:
            async with self._guard():
                row: asyncpg.Record = await query(self._pool, **params)
        except asyncpg.PostgresError as exc:
            raise refusal(exc) from exc
        return row

    @asynccontextmanager
    async def _guard(self, timeout: float | None = None) -> AsyncIterator[None]:
        # Every call is bounded, so a caller hears "try again" instead of silence.
        try:
            async with asyncio.timeout(timeout or self._timeout):
                yield
        except UNAVAILABLE as exc:
            # The query's own bound, or the wait for a connection; a bound `bounded` reached
            # first cancels this instead, and is counted there.
            if isinstance(exc, TimeoutError):
                TIMEOUTS.inc()
            raise DatabaseUnavailable(NOT_ANSWERING) from exc
