"""Failed proofs in PostgreSQL: which booking a caller failed to show was theirs, and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.db.base import QUERIES, Database, bounded


class ProofRecords(Database):
    """Typed access to failed proofs, for the voice agent (core/services/proofs.py)."""

    @bounded
    async def record_failures(self, reservation_ids: Sequence[int]) -> None:
        async with self._guard():
            await QUERIES.record_failed_proofs(self._pool, reservation_ids=list(reservation_ids))

    @bounded
    async def most_failures(self, phone_number: str, within: timedelta) -> int:
        """The most failed proofs one booking under this number has had within `within`."""
        async with self._guard():
            most = await QUERIES.most_failed_proofs_of_phone(
                self._pool, phone_number=phone_number, within=within
            )
        return int(most)
