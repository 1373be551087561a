"""The PostgreSQL connection pool every process opens: bounded waits, jsonb as Python values."""

from __future__ import annotations

import json

import asyncpg


async def init_connection(conn: asyncpg.Connection) -> None:
    """Decode jsonb into Python objects on every pooled connection."""
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def keep_session(conn: asyncpg.Connection) -> None:
    """What a connection needs on its way back to the pool: usually nothing.

    asyncpg's default reset costs a round trip per query (unlock, close cursors, reset
    settings). The store sets no session state and takes only transaction-scoped locks, so only
    a connection left inside a transaction (a cancelled query) gets the full reset.
    """
    if conn.is_in_transaction():
        await conn.reset()


async def create_pool(
    dsn: str, *, min_size: int, max_size: int, timeout: float, idle_seconds: float = 300.0
) -> asyncpg.Pool:
    """A pool whose connections decode jsonb and give up on a silent server after `timeout`;
    a connection idle for `idle_seconds` is closed (down to `min_size`)."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        command_timeout=timeout,
        max_inactive_connection_lifetime=idle_seconds,
        init=init_connection,
        reset=keep_session,
    )
    assert pool is not None
    return pool
