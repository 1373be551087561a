"""The comparison: reservations the common way, with the SQLAlchemy 2 async ORM.

This is how the seed planned the reservation core before it moved to raw asyncpg: a declarative
model, `AsyncSession`s, and the capacity check as ORM queries inside `async with
session.begin()`. It is written the way the SQLAlchemy documentation shows, untuned, but it is
correct: a per-day advisory lock (the same key as `lock_reservation_day` in migration 0003) makes
the covers check and the insert atomic, so it never overbooks either.

It keeps the product's contract so both sides do the same work: the same booking rules
(`core.rules.availability`), the same answers (`Reservation`, `BookingRejected` with up to three
alternatives), and it maps the `reservations` table our migrations created; it creates no schema.
It is benchmark code, not product code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Text, Time, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from core.errors import BookingRejected, Reason
from core.models import Reservation
from core.restaurant import Restaurant
from core.rules.availability import Booked, nearest_on_day, rule_violation
from core.services.reservations import ALTERNATIVE_DAYS, MAX_ALTERNATIVES, utc_now
from core.spoken.codes import new_confirmation_code

# The namespace of `lock_reservation_day` (sql/migrations/0003_capacity_checked_writes.sql).
LOCK_NAMESPACE = 1919251317
LOCK_EPOCH = date(2000, 1, 1)


class Base(DeclarativeBase):
    pass


class ReservationRow(Base):
    """The `reservations` table of migration 0001, as an ORM class."""

    __tablename__ = "reservations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    confirmation_code: Mapped[str] = mapped_column(Text)
    phone_number: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    reservation_date: Mapped[date] = mapped_column(Date)
    reservation_time: Mapped[time] = mapped_column(Time)
    party_size: Mapped[int]
    other_info: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(Text, server_default="confirmed")
    idempotency_key: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def to_reservation(row: ReservationRow) -> Reservation:
    return Reservation.model_validate(row, from_attributes=True)


def create_engine(url: URL, *, pool_size: int) -> AsyncEngine:
    """An engine with a fixed-size pool, sized like the asyncpg pool it is compared with."""
    return create_async_engine(url, pool_size=pool_size, max_overflow=0)


class OrmReservations:
    """`ReservationService.create` and `.upcoming_by_phone`, over ORM sessions."""

    def __init__(
        self,
        engine: AsyncEngine,
        restaurant: Restaurant,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.restaurant = restaurant
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    async def create(
        self,
        *,
        phone_number: str,
        name: str,
        reservation_date: date,
        reservation_time: time,
        party_size: int,
        other_info: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        session_id: str | None = None,
    ) -> Reservation:
        """Book a table if the party fits; the same idempotency key returns the same booking."""
        rejected = rule_violation(
            self.restaurant, reservation_date, reservation_time, party_size, self.now()
        )
        if rejected is not None:
            raise rejected
        rules = self.restaurant.booking
        async with self.sessions() as session, session.begin():
            if idempotency_key is not None:
                earlier = await session.scalar(
                    select(ReservationRow).where(ReservationRow.idempotency_key == idempotency_key)
                )
                if earlier is not None:
                    return to_reservation(earlier)
            # Serialise the day's bookings, then count the covers whose meals overlap this one.
            await session.execute(
                select(
                    func.pg_advisory_xact_lock(LOCK_NAMESPACE, (reservation_date - LOCK_EPOCH).days)
                )
            )
            booked = await session.scalar(
                select(func.coalesce(func.sum(ReservationRow.party_size), 0)).where(
                    *_confirmed_overlapping(reservation_date, reservation_time, rules.dining)
                )
            )
            if int(booked or 0) + party_size <= rules.capacity_covers:
                row = ReservationRow(
                    confirmation_code=new_confirmation_code(),
                    phone_number=phone_number,
                    name=name.strip(),
                    reservation_date=reservation_date,
                    reservation_time=reservation_time,
                    party_size=party_size,
                    other_info=other_info or {},
                    idempotency_key=idempotency_key,
                    session_id=session_id,
                )
                session.add(row)
                await session.flush()
                rejected = None
            else:
                rejected = BookingRejected(Reason.SLOT_TAKEN, "That time is fully booked.")
        if rejected is not None:
            raise await self._with_alternatives(
                rejected, reservation_date, reservation_time, party_size
            )
        return to_reservation(row)

    async def upcoming_by_phone(self, phone_number: str) -> list[Reservation]:
        local_now = self.restaurant.local_now(self.now())
        async with self.sessions() as session:
            rows = await session.scalars(
                select(ReservationRow)
                .where(
                    ReservationRow.phone_number == phone_number,
                    ReservationRow.status == "confirmed",
                    (ReservationRow.reservation_date > local_now.date())
                    | (
                        (ReservationRow.reservation_date == local_now.date())
                        & (ReservationRow.reservation_time >= local_now.time())
                    ),
                )
                .order_by(ReservationRow.reservation_date, ReservationRow.reservation_time)
            )
            return [to_reservation(r) for r in rows]

    async def confirmed_covers(self, day: date) -> list[Booked]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(ReservationRow.reservation_time, ReservationRow.party_size).where(
                    ReservationRow.reservation_date == day, ReservationRow.status == "confirmed"
                )
            )
            return [Booked(at=at, covers=covers) for at, covers in rows]

    async def _with_alternatives(
        self, rejected: BookingRejected, day: date, at: time, party_size: int
    ) -> BookingRejected:
        """The same search as `ReservationService._with_alternatives`."""
        found: list[datetime] = []
        local_today = self.restaurant.local_now(self.now()).date()
        for offset in range(ALTERNATIVE_DAYS + 1):
            candidate_day = max(day, local_today) + timedelta(days=offset)
            booked = await self.confirmed_covers(candidate_day)
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


def _confirmed_overlapping(day: date, at: time, dining: timedelta) -> list[ColumnElement[bool]]:
    """Confirmed bookings of `day` whose meal overlaps one starting at `at`."""
    starts = datetime.combine(day, at)
    conditions = [ReservationRow.status == "confirmed", ReservationRow.reservation_date == day]
    if (earliest := starts - dining).date() == day:
        conditions.append(ReservationRow.reservation_time > earliest.time())
    if (latest := starts + dining).date() == day:
        conditions.append(ReservationRow.reservation_time < latest.time())
    return conditions
