"""Staff lookups of reservations, bookings staff take, and status changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Header, Path, Query, status

from api.deps import DeskDep, ReservationsDep, staff_router
from api.errors import (
    BOOKING_RESPONSES,
    CONFLICT_RESPONSES,
    NOT_FOUND_RESPONSES,
    InvalidParameter,
)
from api.schemas import (
    IsoDate,
    ReservationCreate,
    ReservationPagePublic,
    ReservationPublic,
    ReservationStatusChange,
)
from core.errors import ReservationNotFound
from core.models import Reservation, ReservationStatus
from core.spoken.codes import InvalidConfirmationCode, normalize_confirmation_code
from core.spoken.phones import InvalidPhone, normalize_phone

router = staff_router("/api/reservations", "reservations", NOT_FOUND_RESPONSES)


CodePath = Annotated[str, Path(description="Six characters, e.g. HRZ-T1N; case is ignored.")]


def _public(reservation: Reservation) -> ReservationPublic:
    return ReservationPublic.model_validate(reservation, from_attributes=True)


@router.get("", summary="A day's reservations, in seating order")
async def list_for_date(
    reservations: ReservationsDep,
    date: Annotated[IsoDate, Query(description="The day, as YYYY-MM-DD.")],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    status_filter: Annotated[ReservationStatus | None, Query(alias="status")] = None,
) -> ReservationPagePublic:
    found = await reservations.list_for_date(
        date, page=page, page_size=page_size, status=status_filter
    )
    return ReservationPagePublic.model_validate(found, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="A booking staff take: a walk-in, or a booking for later",
    responses=BOOKING_RESPONSES,
)
async def create(
    desk: DeskDep,
    booking: Annotated[ReservationCreate, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Any unique string (e.g. a UUID): a retried request with the same key "
            "books once and answers with that booking.",
            min_length=1,
            max_length=128,
            pattern=r"^[\x21-\x7e]+$",
        ),
    ] = None,
) -> ReservationPublic:
    """Same rules and capacity check as the voice agent's bookings; a walk-in is booked at the
    current slot (no notice needed) and seated at once. 409 with the nearest times when full."""
    try:
        phone_number = normalize_phone(
            booking.phone_number, desk.service.restaurant.locale.phone_region
        )
    except InvalidPhone as exc:
        raise InvalidParameter("phone_number", exc.message) from exc
    when = None
    if booking.reservation_date is not None and booking.reservation_time is not None:
        when = booking.reservation_date, booking.reservation_time
    made = await desk.book(
        phone_number=phone_number,
        name=booking.name,
        party_size=booking.party_size,
        when=when,
        other_info={"notes": notes} if (notes := booking.notes.strip()) else {},
        idempotency_key=idempotency_key,
    )
    return _public(made)


def _code(raw: str) -> str:
    try:
        return normalize_confirmation_code(raw)
    except InvalidConfirmationCode as exc:
        raise InvalidParameter("path parameter 'code'", exc.message) from exc


@router.get("/code/{code}", summary="One reservation by its confirmation code")
async def get_by_code(reservations: ReservationsDep, code: CodePath) -> ReservationPublic:
    return _public(await reservations.by_code(_code(code)))


@router.patch(
    "/code/{code}",
    summary="Mark a reservation seated, completed, a no-show or cancelled",
    responses=CONFLICT_RESPONSES,
)
async def change_status(
    desk: DeskDep, code: CodePath, change: Annotated[ReservationStatusChange, Body()]
) -> ReservationPublic:
    """Allowed: confirmed to seated (on the day), no_show (once its time has passed) or
    cancelled; seated to completed; cancelled or no_show back to confirmed while the booking is
    still ahead and its seats are free. Asking for the status it has changes nothing."""
    return _public(await desk.set_status(_code(code), change.status))


@router.get("/{phone}", summary="A phone number's upcoming confirmed reservations")
async def upcoming_by_phone(
    reservations: ReservationsDep,
    phone: Annotated[
        str,
        Path(
            description="Any format; without a country code, the restaurant's country "
            "(locale.phone_region in restaurant.toml).",
            max_length=40,
        ),
    ],
) -> list[ReservationPublic]:
    try:
        phone_number = normalize_phone(phone, reservations.restaurant.locale.phone_region)
    except InvalidPhone as exc:
        raise InvalidParameter("path parameter 'phone'", exc.message) from exc
    found = await reservations.upcoming_by_phone(phone_number)
    if not found:
        raise ReservationNotFound("No upcoming reservations for that phone number.")
    return [_public(r) for r in found]
