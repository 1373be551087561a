"""Keeping personal data only as long as restaurant.toml's [retention] says.

The purge anonymises, never deletes: a reservation keeps its date, time, party size and status,
so covers, counts and handoff analytics are the same before and after; only failed proofs
(core/services/proofs.py), which are never shown, only counted, are deleted, as old as handoffs.
It is idempotent and safe to run from several processes at once (a row is anonymised once; the
others skip it). Every API process looks every CHECK_EVERY whether it is due; one of them runs it,
once per PURGE_EVERY, in one transaction with the record that it ran (sql/migrations/0008): a
process that dies half-way leaves it due for the next look, from any process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.db.call_records import CallRecords
from core.errors import DatabaseUnavailable, RecordingsUnavailable
from core.recordings import RecordingStore
from core.restaurant import Restaurant

logger = logging.getLogger(__name__)

# The API runs the purge this often; a day is what the retention periods are counted in.
PURGE_EVERY = timedelta(days=1)
# How often each API process looks whether the purge is due: how late a purge whose process
# died half-way is done again.
CHECK_EVERY = timedelta(hours=1)


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
    # Recordings of calls deleted (their files, and the calls' links to them).
    recordings: int = 0
    # Recordings as old as the transcripts that no call linked (its record was never
    # written, or the link failed), deleted all the same.
    unlinked_recordings: int = 0


async def purge_personal_data(
    store: CallRecords,
    restaurant: Restaurant,
    now: datetime,
    recordings: RecordingStore | None = None,
) -> Purged:
    """Anonymise every row older than its retention period, now."""
    purged = await purge_if_due(store, restaurant, now, once_every=None, recordings=recordings)
    assert purged is not None  # always runs without a period
    return purged


async def purge_if_due(
    store: CallRecords,
    restaurant: Restaurant,
    now: datetime,
    *,
    once_every: timedelta | None,
    recordings: RecordingStore | None = None,
) -> Purged | None:
    """The purge, if no process has run it within `once_every` (None: run it now); None when
    another process has or is running it. Calls' recordings go with their transcripts (the
    same content, in audio), deleted from `recordings`; without it they are kept."""
    keep = restaurant.retention
    today = restaurant.local_now(now).date()
    called_before = now - timedelta(days=keep.transcript_days)
    unlinked = 0

    async def delete_recordings(names: list[str]) -> None:
        nonlocal unlinked
        assert recordings is not None
        await recordings.delete(names)
        # A recording is never stored before its call started, so every one stored before
        # the cut-off is due, whether or not a call links it.
        unlinked = await recordings.delete_made_before(called_before)

    counts = await store.anonymise_older_than(
        visited_before=today - timedelta(days=keep.reservation_days),
        resolved_before=now - timedelta(days=keep.escalation_days),
        recorded_before=now - timedelta(days=keep.handoff_days),
        called_before=called_before,
        once_every=once_every,
        delete_recordings=None if recordings is None else delete_recordings,
    )
    if counts is None:
        return None
    purged = Purged(*counts, unlinked_recordings=unlinked)
    logger.info(
        "personal data purged",
        extra={
            "reservations": purged.reservations,
            "escalations": purged.escalations,
            "handoffs": purged.handoffs,
            "failed_proofs": purged.failed_proofs,
            "calls": purged.calls,
            "recordings": purged.recordings,
            "unlinked_recordings": purged.unlinked_recordings,
        },
    )
    return purged


async def purge_daily(
    store: CallRecords,
    restaurant: Restaurant,
    clock: Callable[[], datetime],
    recordings: RecordingStore | None = None,
) -> None:
    """Look now, then every CHECK_EVERY, and purge when due (once a day across every
    process), until cancelled; an outage only delays it."""
    while True:
        try:
            await purge_if_due(
                store, restaurant, clock(), once_every=PURGE_EVERY, recordings=recordings
            )
        except DatabaseUnavailable:
            logger.warning("personal data purge postponed: database unavailable")
        except RecordingsUnavailable as exc:
            # Rolled back whole, recordings' links kept: the next look tries again.
            logger.warning(
                "personal data purge postponed: recordings unavailable", extra={"error": str(exc)}
            )
        await asyncio.sleep(CHECK_EVERY.total_seconds())
