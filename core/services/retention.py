"""Keeping personal data only as long as restaurant.toml's [retention] says.

The purge anonymises, never deletes: a reservation keeps its date, time, party size and status,
so covers, counts and handoff analytics are the same before and after; only failed proofs
(core/services/proofs.py), which are never shown, only counted, are deleted, as old as handoffs.
It is idempotent and safe to run from several processes at once (a row is anonymised once; the
others skip it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.db.call_records import CallRecords
from core.errors import DatabaseUnavailable
from core.restaurant import Restaurant

logger = logging.getLogger(__name__)

# The API runs the purge this often; a day is what the retention periods are counted in.
PURGE_EVERY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows one purge anonymised."""

    reservations: int
    escalations: int
    handoffs: int
    # Deleted, not anonymised: a row is only which booking and when.
    failed_proofs: int
    # Calls whose transcript was deleted and caller ID cleared.
    calls: int = 0


async def purge_personal_data(store: CallRecords, restaurant: Restaurant, now: datetime) -> Purged:
    """Anonymise every row older than its retention period."""
    keep = restaurant.retention
    today = restaurant.local_now(now).date()
    counts = await store.anonymise_older_than(
        visited_before=today - timedelta(days=keep.reservation_days),
        resolved_before=now - timedelta(days=keep.escalation_days),
        recorded_before=now - timedelta(days=keep.handoff_days),
        called_before=now - timedelta(days=keep.transcript_days),
    )
    purged = Purged(*counts)
    logger.info(
        "personal data purged",
        extra={
            "reservations": purged.reservations,
            "escalations": purged.escalations,
            "handoffs": purged.handoffs,
            "failed_proofs": purged.failed_proofs,
            "calls": purged.calls,
        },
    )
    return purged


async def purge_daily(
    store: CallRecords, restaurant: Restaurant, clock: Callable[[], datetime]
) -> None:
    """Purge now, then once a day, until cancelled; an outage only delays the next one."""
    while True:
        try:
            await purge_personal_data(store, restaurant, clock())
        except DatabaseUnavailable:
            logger.warning("personal data purge postponed: database unavailable")
        await asyncio.sleep(PURGE_EVERY.total_seconds())
