"""What staff do at the desk: take bookings and walk-ins, move bookings and callbacks on, and
see a day's occupancy. The booking rules are ReservationService's; this adds the staff's own."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, time
from typing import Any

from core.db.desk import DeskStore, StatusChanged
from core.errors import EscalationNotFound, IdempotencyKeyReused, IllegalTransition
from core.models import Escalation, EscalationStatus, Page, Reservation, ReservationStatus
from core.rules.availability import ServiceOccupancy, current_slot, occupancy
from core.rules.transitions import escalation_move_problem, reservation_move_problem
from core.services.reservations import ReservationService

# Keeps the idempotency keys staff send apart from the voice agent's (the call's room first).
IDEMPOTENCY_PREFIX = "staff:"
# A change that loses a race re-reads and re-checks; more than this many losses in a row is
# not a race any more.
_RETRIES = 3


class StaffDesk:
    def __init__(self, service: ReservationService, store: DeskStore) -> None:
        self.service = service
        self.store = store

    def today(self) -> date:
        """Today at the restaurant."""
        return self.service.restaurant.local_now(self.service.now()).date()

    async def book(
        self,
        *,
        phone_number: str,
        name: str,
        party_size: int,
        when: tuple[date, time] | None,
        other_info: dict[str, Any],
        idempotency_key: str | None,
    ) -> Reservation:
        """A booking staff take, or without `when` a walk-in seated at once, under the rules
        the voice agent books by."""
        walk_in = when is None
        slot = current_slot(self.service.restaurant, self.service.now())
        day, at = (slot.date(), slot.time()) if when is None else when
        booked = await self.service.create(
            phone_number=phone_number,
            name=name,
            reservation_date=day,
            reservation_time=at,
            party_size=party_size,
            other_info=other_info,
            idempotency_key=f"{IDEMPOTENCY_PREFIX}{idempotency_key}" if idempotency_key else None,
            walk_in=walk_in,
        )
        # A retried request gets its first booking back; a different request under the same key
        # is a client's mistake, not a retry.
        same_guests = (booked.phone_number, booked.name, booked.party_size, booked.other_info) == (
            phone_number,
            name.strip(),
            party_size,
            other_info,
        )
        # A retried walk-in may land in a later slot than its first try.
        same_time = walk_in or (booked.reservation_date, booked.reservation_time) == when
        if not (same_guests and same_time):
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used for a different booking; "
                "send a new key for a new booking."
            )
        return booked

    async def set_status(self, code: str, target: ReservationStatus) -> Reservation:
        """Move a booking to `target` if the rules allow it now (core/rules/transitions.py)."""
        rules = self.service.restaurant.booking
        for _ in range(_RETRIES):
            booking = await self.service.by_code(code)
            if booking.status == target:
                return booking  # pressed twice, or on two tablets: nothing to do
            local_now = self.service.restaurant.local_now(self.service.now())
            if problem := reservation_move_problem(booking, target, local_now):
                raise IllegalTransition(problem)
            try:
                return await self.store.set_reservation_status(
                    reservation_id=booking.id,
                    from_status=booking.status,
                    to_status=target,
                    dining=rules.dining,
                    capacity=rules.capacity_covers,
                )
            except StatusChanged:
                continue
        raise IllegalTransition("This booking keeps changing; reload and try again.")

    async def occupancy(self, day: date) -> list[ServiceOccupancy]:
        return occupancy(self.service.restaurant, day, await self.service.store.held_covers(day))

    async def callbacks(
        self, statuses: Collection[EscalationStatus], *, page: int, page_size: int
    ) -> Page[Escalation]:
        items, total = await self.store.escalations(
            statuses, page_size=page_size, skip=(page - 1) * page_size
        )
        return Page(items=items, total=total, page=page, page_size=page_size)

    async def move_callback(
        self, escalation_id: int, target: EscalationStatus, note: str | None
    ) -> Escalation:
        """Start or resolve a callback, with an optional note from staff."""
        for _ in range(_RETRIES):
            current = await self.store.escalation(escalation_id)
            if current is None:
                raise EscalationNotFound("There is no callback with that id.")
            if problem := escalation_move_problem(current.status, target):
                raise IllegalTransition(problem)
            try:
                return await self.store.move_escalation(
                    escalation_id=escalation_id,
                    from_status=current.status,
                    to_status=target,
                    staff_note=note,
                )
            except StatusChanged:
                continue
        raise IllegalTransition("This callback keeps changing; reload and try again.")
