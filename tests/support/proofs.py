"""Failed proofs in the tests: the default limit, and what the database holds of them."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from core.services.proofs import ProofLimit
from core.settings import Settings
from tests.support.database import INSPECT

# FAILED_PROOFS_LIMIT and FAILED_PROOFS_WINDOW_HOURS as shipped, whatever a .env says.
DEFAULT_LIMIT = ProofLimit(
    failures=Settings.model_fields["failed_proofs_limit"].default,
    window=timedelta(hours=Settings.model_fields["failed_proofs_window_hours"].default),
)


async def failed_proofs(pool: asyncpg.Pool) -> list[int]:
    """The booking id of every failed proof recorded, oldest first."""
    async with pool.acquire() as conn:
        return [row["reservation_id"] async for row in INSPECT.failed_proofs(conn)]


async def age_failed_proofs(pool: asyncpg.Pool, by: timedelta) -> None:
    """Move every failed proof back in time, as if recorded that long ago."""
    async with pool.acquire() as conn:
        await INSPECT.age_failed_proofs(conn, by=by)
