"""Reservations in PostgreSQL: typed methods over the named queries in sql/queries.

The voice agent and the staff API both book, look up and change reservations through a
ReservationStore; every method keeps the bound of core/db/base.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, NotRequired, TypedDict, Unpack

import asyncpg

from core.db.base import QUERIES, Database, bounded, rows
from core.errors import AlreadyBooked, BookingRejected, Reason, ReservationNotFound
from core.models import Reservation, ReservationStatus
from core.rules.availability import Booked

# Raised by sql/migrations/0003_capacity_checked_writes.sql and 0004_staff_desk.sql.
_NO_CAPACITY = "RB001"
_NOT_CONFIRMED = "RB002"
_ONE_PER_PHONE_PER_DAY = "reservations_one_confirmed_per_phone_per_day"
_CODE_UNIQUE = "reservations_confirmation_code_key"
_IDEMPOTENCY_UNIQUE = "reservations_idempotency_key_key"


class NewReservation(TypedDict):
    """A new booking's own fields, declared once for ReservationService.create and the store."""

    phone_number: str
    name: str
    reservation_date: date
    reservation_time: time
    party_size: int
    other_info: NotRequired[dict[str, Any] | None]
    # The same key always books once (a retried tool call or request).
    idempotency_key: NotRequired[str | None]
    # The call (LiveKit room) that booked it; None for staff and sample bookings.
    session_id: NotRequired[str | None]
    # Which caller in which live room booked it (agent/call/start.py:caller_key).
    caller_key: NotRequired[str | None]


class CodeCollision(Exception):
    """A freshly drawn confirmation code was already taken; draw another."""


class ReservationStore(Database):
    """Typed access to reservations, for the voice agent and the staff API alike.

    `announce` on a write adds its staff notice (the outbox, sql/queries/outbox.sql) in the
    same statement, so the notice exists exactly when the row does.
    """

    @bounded
    async def book(
        self,
        *,
        code: str,
        status: ReservationStatus,
        announce: bool,
        dining: timedelta,
        capacity: int,
        **booking: Unpack[NewReservation],
    ) -> Reservation:
        """Insert a reservation if its covers fit; a repeated idempotency key returns the first."""
        idempotency_key = booking.get("idempotency_key")
        # What a booking leaves out is said here, once, rather than by every caller.
        fields = {"idempotency_key": None, "session_id": None, "caller_key": None, **booking}
        fields["other_info"] = booking.get("other_info") or {}
        try:
            row = await self._write(
                QUERIES.book_reservation,
                self._refusal,
                **fields,
                code=code,
                status=status,
                announce=announce,
                dining=dining,
                capacity=capacity,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == _IDEMPOTENCY_UNIQUE and idempotency_key is not None:
                # The same key raced on another day's lock; the winner's row is the answer.
                first = await self.get_by_idempotency_key(idempotency_key)
                if first is not None:
                    return first
            raise
        return Reservation.model_validate(dict(row))

    @bounded
    async def reschedule(
        self,
        *,
        reservation_id: int,
        reservation_date: date,
        reservation_time: time,
        party_size: int,
        other_info: dict[str, Any],
        dining: timedelta,
        capacity: int,
    ) -> Reservation:
        """Change a confirmed reservation if its new covers fit."""
        row = await self._write(
            QUERIES.reschedule_reservation,
            self._refusal,
            id=reservation_id,
            reservation_date=reservation_date,
            reservation_time=reservation_time,
            party_size=party_size,
            other_info=other_info,
            dining=dining,
            capacity=capacity,
        )
        return Reservation.model_validate(dict(row))

    @bounded
    async def cancel(self, *, code: str, announce: bool) -> Reservation | None:
        async with self._guard():
            row = await QUERIES.cancel_reservation(self._pool, code=code, announce=announce)
        return None if row is None else Reservation.model_validate(dict(row))

    @bounded
    async def get_by_code(self, code: str) -> Reservation | None:
        async with self._guard():
            row = await QUERIES.get_reservation_by_code(self._pool, code=code)
        return None if row is None else Reservation.model_validate(dict(row))

    @bounded
    async def get_by_idempotency_key(self, key: str) -> Reservation | None:
        async with self._guard():
            row = await QUERIES.get_reservation_by_idempotency_key(self._pool, idempotency_key=key)
        return None if row is None else Reservation.model_validate(dict(row))

    @bounded
    async def upcoming_by_phone(self, phone_number: str, since: datetime) -> list[Reservation]:
        async with self._guard():
            found = await rows(
                QUERIES.list_upcoming_by_phone(self._pool, phone_number=phone_number, since=since)
            )
        return [Reservation.model_validate(dict(r)) for r in found]

    @bounded
    async def list_for_date(
        self, reservation_date: date, *, status: str | None, page_size: int, skip: int
    ) -> tuple[list[Reservation], int]:
        """One page of a day's reservations and the day's total."""
        async with self._guard():
            found = await rows(
                QUERIES.list_reservations_for_date(
                    self._pool,
                    reservation_date=reservation_date,
                    status=status,
                    page_size=page_size,
                    skip=skip,
                )
            )
            total = await QUERIES.count_reservations_for_date(
                self._pool, reservation_date=reservation_date, status=status
            )
        return [Reservation.model_validate(dict(r)) for r in found], int(total)

    @bounded
    async def held_covers(self, reservation_date: date) -> list[Booked]:
        """The day's bookings that hold seats: confirmed, or seated and not yet completed."""
        async with self._guard():
            found = await rows(
                QUERIES.list_held_covers_for_date(self._pool, reservation_date=reservation_date)
            )
        return [Booked(at=r["reservation_time"], covers=r["party_size"]) for r in found]

    @staticmethod
    def _refusal(exc: asyncpg.PostgresError) -> Exception:
        if isinstance(exc, asyncpg.UniqueViolationError):
            if exc.constraint_name == _ONE_PER_PHONE_PER_DAY:
                return AlreadyBooked("This phone number already has a booking on that day.")
            if exc.constraint_name == _CODE_UNIQUE:
                return CodeCollision()
        if exc.sqlstate == _NO_CAPACITY:
            return BookingRejected(Reason.SLOT_TAKEN, "That time is fully booked.")
        if exc.sqlstate == _NOT_CONFIRMED:
            return ReservationNotFound("I couldn't find a confirmed booking to change.")
        if isinstance(exc, asyncpg.CheckViolationError):
            return ValueError("reservation fields out of range")
        return exc
