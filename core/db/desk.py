"""The staff desk's side of PostgreSQL: status changes and the callback list."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

import asyncpg

from core.db.base import QUERIES, Database, bounded, rows
from core.errors import AlreadyBooked, BookingRejected, Reason
from core.models import Escalation, EscalationStatus, Reservation, ReservationStatus

# Raised by sql/migrations/0003 and 0004.
_NO_CAPACITY = "RB001"
_STATUS_CHANGED = "RB003"
_ONE_PER_PHONE_PER_DAY = "reservations_one_confirmed_per_phone_per_day"


class StatusChanged(Exception):
    """Someone changed the row's status since it was read; read it again."""


class DeskStore(Database):
    """Typed access to what staff change: booking statuses and callbacks."""

    @bounded
    async def set_reservation_status(
        self,
        *,
        reservation_id: int,
        from_status: ReservationStatus,
        to_status: ReservationStatus,
        dining: timedelta,
        capacity: int,
    ) -> Reservation:
        """Move a booking on if it is still in `from_status`; capacity-checked when it would
        hold seats again."""
        row = await self._write(
            QUERIES.set_reservation_status,
            self._refusal,
            id=reservation_id,
            from_status=from_status,
            to_status=to_status,
            dining=dining,
            capacity=capacity,
        )
        return Reservation.model_validate(dict(row))

    @bounded
    async def escalations(
        self, statuses: Collection[EscalationStatus], *, page_size: int, skip: int
    ) -> tuple[list[Escalation], int]:
        """One page of callbacks in these statuses, urgent first, then oldest; and the total."""
        wanted = sorted(statuses)
        async with self._guard():
            found = await rows(
                QUERIES.list_escalations(
                    self._pool, statuses=wanted, page_size=page_size, skip=skip
                )
            )
            total = await QUERIES.count_escalations(self._pool, statuses=wanted)
        return [Escalation.model_validate(dict(r)) for r in found], int(total)

    @bounded
    async def escalation(self, escalation_id: int) -> Escalation | None:
        async with self._guard():
            row = await QUERIES.get_escalation(self._pool, id=escalation_id)
        return None if row is None else Escalation.model_validate(dict(row))

    @bounded
    async def move_escalation(
        self,
        *,
        escalation_id: int,
        from_status: EscalationStatus,
        to_status: EscalationStatus,
        staff_note: str | None,
    ) -> Escalation:
        """Move a callback on if it is still in `from_status`."""
        async with self._guard():
            row = await QUERIES.move_escalation(
                self._pool,
                id=escalation_id,
                from_status=from_status,
                to_status=to_status,
                staff_note=staff_note,
            )
        if row is None:
            raise StatusChanged()
        return Escalation.model_validate(dict(row))

    @staticmethod
    def _refusal(exc: asyncpg.PostgresError) -> Exception:
        unique = isinstance(exc, asyncpg.UniqueViolationError)
        if unique and exc.constraint_name == _ONE_PER_PHONE_PER_DAY:
            return AlreadyBooked("This phone number already has another booking that day.")
        if exc.sqlstate == _NO_CAPACITY:
            return BookingRejected(
                Reason.SLOT_TAKEN, "Its seats have been booked since; it can't be confirmed."
            )
        if exc.sqlstate == _STATUS_CHANGED:
            return StatusChanged()
        return exc
