"""Staff lookups of reservations."""

from __future__ import annotations

import re
from datetime import date as Date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BeforeValidator

from api.deps import ServiceDep, require_api_key
from api.errors import AUTH_RESPONSES, NOT_FOUND_RESPONSES, InvalidParameter
from api.schemas import ReservationPagePublic, ReservationPublic
from core.codes import InvalidConfirmationCode
from core.errors import ReservationNotFound
from core.models import Reservation, ReservationStatus
from core.phones import InvalidPhone, normalize_phone

router = APIRouter(
    prefix="/api/reservations",
    tags=["reservations"],
    dependencies=[Depends(require_api_key)],
    responses=AUTH_RESPONSES | NOT_FOUND_RESPONSES,
)


def _iso_date_only(value: object) -> object:
    # pydantic would also take "0" or "1700000000" as Unix timestamps; staff mean calendar days.
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise ValueError("use a date written as YYYY-MM-DD")
    return value


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[Date, BeforeValidator(_iso_date_only)]


def _public(reservation: Reservation) -> ReservationPublic:
    return ReservationPublic.model_validate(reservation, from_attributes=True)


@router.get("", summary="A day's reservations, in seating order")
async def list_for_date(
    service: ServiceDep,
    date: Annotated[IsoDate, Query(description="The day, as YYYY-MM-DD.")],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    status_filter: Annotated[ReservationStatus | None, Query(alias="status")] = None,
) -> ReservationPagePublic:
    result = await service.list_for_date(date, page=page, page_size=page_size, status=status_filter)
    return ReservationPagePublic(
        items=[_public(r) for r in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
    )


@router.get("/code/{code}", summary="One reservation by its confirmation code")
async def get_by_code(
    service: ServiceDep,
    code: Annotated[str, Path(description="Six characters, e.g. HRZ-T1N; case is ignored.")],
) -> ReservationPublic:
    try:
        return _public(await service.by_code(code))
    except InvalidConfirmationCode as exc:
        raise InvalidParameter("path parameter 'code'", exc.message) from exc


@router.get("/{phone}", summary="A phone number's upcoming confirmed reservations")
async def upcoming_by_phone(
    service: ServiceDep,
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
        phone_number = normalize_phone(phone, service.restaurant.locale.phone_region)
    except InvalidPhone as exc:
        raise InvalidParameter("path parameter 'phone'", exc.message) from exc
    reservations = await service.upcoming_by_phone(phone_number)
    if not reservations:
        raise ReservationNotFound("No upcoming reservations for that phone number.")
    return [_public(r) for r in reservations]
