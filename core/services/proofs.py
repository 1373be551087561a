"""Failed proofs counted per booking across calls, so calling again does not start afresh.

A caller who cannot show a booking is theirs (a wrong name, a code not among those found, or a
lookup by number that only learnt a booking exists) leaves one row per booking they tried, with
no personal data. Once one booking under a number has FAILED_PROOFS_LIMIT of them within
FAILED_PROOFS_WINDOW_HOURS, self-service for that number stops: callers are offered a callback
instead, which reaches the number on the booking. The purge deletes the rows after
restaurant.toml's handoff_days (core/services/retention.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from core.db.proofs import ProofRecords
from core.models import Reservation
from core.settings import Settings


@dataclass(frozen=True, slots=True)
class ProofLimit:
    """How many failed proofs against one booking, within how long, lock its number."""

    failures: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> ProofLimit:
        return cls(
            failures=settings.failed_proofs_limit,
            window=timedelta(hours=settings.failed_proofs_window_hours),
        )


class FailedProofs:
    """Records failed proofs and says which numbers they have locked."""

    def __init__(self, store: ProofRecords, limit: ProofLimit) -> None:
        self.store = store
        self.limit = limit

    async def record(self, tried: Iterable[Reservation]) -> None:
        """One failed proof against each booking the caller tried and could not show."""
        ids = sorted({reservation.id for reservation in tried})
        if ids:
            await self.store.record_failures(ids)

    async def locked(self, phone_number: str) -> bool:
        """Whether self-service is stopped for the bookings under this number."""
        most = await self.store.most_failures(phone_number, self.limit.window)
        return most >= self.limit.failures
