"""Test-only queries (tests/sql/inspect.sql): what the product writes but never reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosql
import asyncpg

INSPECT = aiosql.from_path(Path(__file__).parent / "sql" / "inspect.sql", "asyncpg")


async def outbox(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Every notice written so far, oldest first."""
    async with pool.acquire() as conn:
        return [dict(r) async for r in INSPECT.staff_outbox(conn)]
