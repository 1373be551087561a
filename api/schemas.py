"""Response bodies, named by role; field names follow the original reservation API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BaseModel, PlainSerializer

from core.models import ReservationStatus

# Staff and the original clients read times as HH:MM.
ClockTime = Annotated[
    time, PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json")
]


class Problem(BaseModel):
    """Every error body: one readable sentence."""

    detail: str


class FieldProblem(BaseModel):
    field: str
    message: str


class ValidationProblem(Problem):
    errors: list[FieldProblem]


class ReservationPublic(BaseModel):
    confirmation_code: str
    phone_number: str
    name: str
    reservation_date: date
    reservation_time: ClockTime
    party_size: int
    other_info: dict[str, Any]
    status: ReservationStatus
    created_at: datetime
    updated_at: datetime


class ReservationPagePublic(BaseModel):
    items: list[ReservationPublic]
    total: int
    page: int
    page_size: int


class Health(BaseModel):
    status: str
