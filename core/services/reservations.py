"""Reservation operations shared by the voice agent and the API: the rules, then the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Unpack

from core.db.reservations import CodeCollision, NewReservation, ReservationStore
from core.errors import BookingRejected, Reason, ReservationNotFound
from core.models import Page, Reservation, ReservationStatus
from core.restaurant import Restaurant
from core.rules.availability import Booked, fits, nearest_on_day, rule_violation
from core.spoken.codes import new_confirmation_code, normalize_confirmation_code

MAX_ALTERNATIVES = 3
# Alternatives cannot help these: a different time does not change the answer.
_NO_ALTERNATIVES = {Reason.PARTY_TOO_SMALL, Reason.PARTY_TOO_LARGE, Reason.TOO_FAR_AHEAD}
# How many days after the requested one are searched when that day is full.
ALTERNATIVE_DAYS = 7


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Availability:
    """The answer to "can we book this?": yes, or why not and the nearest times that can."""

    available: bool
    reason: str | None = None
    message: str | None = None
    alternatives: tuple[datetime, ...] = ()


class ReservationService:
    """Check, book, look up, change and cancel reservations, under the restaurant's rules.

    `store` answers read-only lookups that need no rule (held covers, a booking by idempotency
    key). With `notify_staff` (the voice agent's service), the bookings it makes or cancels are
    announced to staff through the outbox; the staff's own service (the API) and the sample data
    announce nothing.
    """

    def __init__(
        self,
        store: ReservationStore,
        restaurant: Restaurant,
        *,
        clock: Callable[[], datetime] = utc_now,
        notify_staff: bool = True,
    ) -> None:
        self.store = store
        self.restaurant = restaurant
        self._clock = clock
        self.notify_staff = notify_staff

    def now(self) -> datetime:
        return self._clock()

    async def check_availability(
        self,
        reservation_date: date,
        reservation_time: time,
        party_size: int,
        moving: Reservation | None = None,
    ) -> Availability:
        """Whether a party can be booked then; `moving` is a booking that would move there, so
        its own seats do not count against it."""
        try:
            await self._ensure_bookable(reservation_date, reservation_time, party_size, moving)
        except BookingRejected as rejected:
            return Availability(
                available=False,
                reason=rejected.reason.value,
                message=rejected.message,
                alternatives=rejected.alternatives,
            )
        return Availability(available=True)

    async def create(
        self, *, walk_in: bool = False, **booking: Unpack[NewReservation]
    ) -> Reservation:
        """Book a table; the same idempotency key always returns the same reservation.

        A walk-in (guests at the door) is booked at the current slot and seated at once.
        """
        day, at = booking["reservation_date"], booking["reservation_time"]
        party_size = booking["party_size"]
        rejected = rule_violation(
            self.restaurant, day, at, party_size, self.now(), arriving_now=walk_in
        )
        if rejected is not None:
            # A repeated call must not be refused by a rule that held the first time (the time
            # may have become "too soon" since); book_reservation below answers repeats itself.
            key = booking.get("idempotency_key")
            earlier = key and await self.store.get_by_idempotency_key(key)
            if earlier:
                return earlier
            raise await self._with_alternatives(rejected, day, at, party_size)
        booking["name"] = booking["name"].strip()
        rules = self.restaurant.booking
        while True:
            try:
                return await self.store.book(
                    **booking,
                    code=new_confirmation_code(),
                    status="seated" if walk_in else "confirmed",
                    announce=self.notify_staff,
                    dining=rules.dining,
                    capacity=rules.capacity_covers,
                )
            except CodeCollision:
                continue
            except BookingRejected as full:
                raise await self._with_alternatives(full, day, at, party_size) from None

    async def upcoming_by_phone(self, phone_number: str) -> list[Reservation]:
        """A number's confirmed bookings still to come, and today's whose sitting is under way
        (a caller running late phones after the time they booked)."""
        return await self.store.upcoming_by_phone(phone_number, self.still_current_since())

    def still_current_since(self) -> datetime:
        """The earliest start of a booking that is not over yet: one that began today within a
        sitting (`dining_minutes`) still counts; yesterday's never does."""
        local_now = self.restaurant.local_now(self.now())
        midnight = datetime.combine(local_now.date(), time())
        return max(local_now - self.restaurant.booking.dining, midnight)

    async def by_code(self, code: str) -> Reservation:
        reservation = await self.store.get_by_code(normalize_confirmation_code(code))
        if reservation is None:
            raise ReservationNotFound("I couldn't find a booking with that confirmation code.")
        return reservation

    async def update(
        self,
        code: str,
        *,
        reservation_date: date | None = None,
        reservation_time: time | None = None,
        party_size: int | None = None,
        other_info: dict[str, Any] | None = None,
    ) -> Reservation:
        """Change a confirmed reservation under the same rules as a new booking."""
        current = await self.by_code(code)
        if current.status != "confirmed":
            raise ReservationNotFound(f"That booking is {current.status}, so it can't be changed.")
        new_date = reservation_date or current.reservation_date
        new_time = reservation_time or current.reservation_time
        new_party = party_size or current.party_size
        moved = (new_date, new_time, new_party) != (
            current.reservation_date,
            current.reservation_time,
            current.party_size,
        )
        if moved:
            await self._check_rules(new_date, new_time, new_party)
        rules = self.restaurant.booking
        try:
            return await self.store.reschedule(
                reservation_id=current.id,
                reservation_date=new_date,
                reservation_time=new_time,
                party_size=new_party,
                other_info=current.other_info if other_info is None else other_info,
                dining=rules.dining,
                capacity=rules.capacity_covers,
            )
        except BookingRejected as rejected:
            raise await self._with_alternatives(rejected, new_date, new_time, new_party) from None

    async def cancel(self, code: str) -> Reservation:
        """Cancel a confirmed booking (the caller's wish; staff use StaffDesk.set_status)."""
        cancelled = await self.store.cancel(
            code=normalize_confirmation_code(code), announce=self.notify_staff
        )
        if cancelled is None:
            raise ReservationNotFound("I couldn't find a confirmed booking with that code.")
        return cancelled

    async def list_for_date(
        self,
        reservation_date: date,
        *,
        page: int = 1,
        page_size: int = 50,
        status: ReservationStatus | None = None,
    ) -> Page[Reservation]:
        items, total = await self.store.list_for_date(
            reservation_date, status=status, page_size=page_size, skip=(page - 1) * page_size
        )
        return Page(items=items, total=total, page=page, page_size=page_size)

    async def _check_rules(self, day: date, at: time, party_size: int) -> None:
        rejected = rule_violation(self.restaurant, day, at, party_size, self.now())
        if rejected is not None:
            raise await self._with_alternatives(rejected, day, at, party_size)

    async def _ensure_bookable(
        self, day: date, at: time, party_size: int, moving: Reservation | None = None
    ) -> None:
        rejected = rule_violation(self.restaurant, day, at, party_size, self.now())
        if rejected is None:
            held = await self.store.held_covers(day)
            if moving is not None and moving.reservation_date == day:
                own = Booked(at=moving.reservation_time, covers=moving.party_size)
                if own in held:
                    held.remove(own)
            if fits(self.restaurant, held, at, party_size):
                return
            rejected = BookingRejected(Reason.SLOT_TAKEN, "That time is fully booked.")
        raise await self._with_alternatives(rejected, day, at, party_size)

    async def _with_alternatives(
        self, rejected: BookingRejected, day: date, at: time, party_size: int
    ) -> BookingRejected:
        """The same rejection, carrying up to three nearest bookable times, same day first."""
        if rejected.reason in _NO_ALTERNATIVES:
            return rejected
        found: list[datetime] = []
        local_today = self.restaurant.local_now(self.now()).date()
        for offset in range(ALTERNATIVE_DAYS + 1):
            candidate_day = max(day, local_today) + timedelta(days=offset)
            booked = await self.store.held_covers(candidate_day)
            for slot in nearest_on_day(
                self.restaurant, candidate_day, at, party_size, booked, self.now()
            ):
                if slot != datetime.combine(day, at):
                    found.append(slot)
                if len(found) == MAX_ALTERNATIVES:
                    break
            if len(found) == MAX_ALTERNATIVES:
                break
        return BookingRejected(rejected.reason, rejected.message, tuple(found))
