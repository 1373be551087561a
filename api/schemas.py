"""Response bodies, named by role; field names follow the original reservation API."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

from core.models import (
    Call,
    CallLine,
    EscalationBase,
    EscalationStatus,
    Page,
    ReservationStatus,
)
from core.spoken.phones import mask_phone

# Staff and the original clients read times as HH:MM.
ClockTime = Annotated[
    time, PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json")
]

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _iso_date_only(value: object) -> object:
    # pydantic would also take "0" or "1700000000" as Unix timestamps; staff mean calendar days.
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise ValueError("use a date written as YYYY-MM-DD")
    return value


def _hh_mm_only(value: object) -> object:
    # pydantic would also take seconds since midnight; staff write clock times.
    if not isinstance(value, str) or not HH_MM.fullmatch(value):
        raise ValueError("use a 24-hour time written as HH:MM")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
ClockTimeIn = Annotated[time, BeforeValidator(_hh_mm_only)]
# Typed by staff: no control characters (PostgreSQL refuses NUL, and logs and pages need none).
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=PLAIN_TEXT)
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
    # Null once a past visit's personal data has been anonymised (restaurant.toml [retention]).
    phone_number: str | None
    name: str | None
    reservation_date: date
    reservation_time: ClockTime
    party_size: int
    other_info: dict[str, Any]
    status: ReservationStatus
    # The call that made it, if a call did (GET /api/calls/session/{session_id}).
    session_id: str | None
    created_at: datetime
    updated_at: datetime


# Named, so the OpenAPI document calls the schema this rather than "Page_ReservationPublic_".
class ReservationPagePublic(Page[ReservationPublic]):
    pass


class ReservationCreate(BaseModel):
    """A booking staff take: a walk-in seated now, or a booking for a date and time."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    phone_number: str = Field(
        min_length=1,
        max_length=40,
        description="Any format; without a country code, the restaurant's country.",
    )
    party_size: int = Field(ge=1, le=100)
    walk_in: bool = Field(
        default=False, description="Guests at the door: booked at the current slot, seated."
    )
    reservation_date: IsoDate | None = Field(default=None, description="YYYY-MM-DD.")
    reservation_time: ClockTimeIn | None = Field(default=None, description="HH:MM, local.")
    notes: str = Field(default="", max_length=500, pattern=PLAIN_TEXT)

    @model_validator(mode="after")
    def _a_time_or_now(self) -> ReservationCreate:
        given = self.reservation_date is not None, self.reservation_time is not None
        if self.walk_in and any(given):
            raise ValueError("a walk-in is seated now: leave out reservation_date and time")
        if not self.walk_in and not all(given):
            raise ValueError("give reservation_date and reservation_time, or walk_in: true")
        return self


class Alternative(BaseModel):
    reservation_date: date
    reservation_time: ClockTime


class BookingConflict(Problem):
    """A booking that cannot be made: why (`reason`), and the nearest times that can."""

    reason: str
    alternatives: list[Alternative]


class ReservationStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ReservationStatus


class EscalationPublic(EscalationBase):
    status: EscalationStatus
    # The call it was taken on (GET /api/calls/session/{session_id}).
    session_id: str | None
    staff_note: str | None
    created_at: datetime
    updated_at: datetime


class EscalationPagePublic(Page[EscalationPublic]):
    pass


class EscalationChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: EscalationStatus
    note: str | None = Field(default=None, max_length=1000, pattern=PLAIN_TEXT)


class SlotPublic(BaseModel):
    time: ClockTime
    covers: int


class ServicePublic(BaseModel):
    service: str
    opens: ClockTime
    closes: ClockTime
    slots: list[SlotPublic]


class OccupancyPublic(BaseModel):
    """Covers in use at each slot of each service of a day, against the capacity."""

    reservation_date: date
    capacity_covers: int
    services: list[ServicePublic]


class Health(BaseModel):
    status: str


# A room name or identity a client asks for: accepted, since stock clients send them, but never
# used (the server names both, api/routes/token.py), so only bounded.
IgnoredName = Annotated[str, StringConstraints(max_length=128)]


def _either_case(snake: str) -> AliasChoices:
    # LiveKit's SDKs send proto field names (snake_case); hand-written clients often camelCase.
    head, *rest = snake.split("_")
    return AliasChoices(snake, head + "".join(word.capitalize() for word in rest))


def _must_be_empty(value: str | dict[str, str] | None) -> str | dict[str, str] | None:
    # The convention answers 4xx for fields an endpoint does not let callers set. The agent
    # reads neither, so a public endpoint has no reason to sign caller-chosen data into tokens.
    if value:
        raise ValueError("this endpoint does not set participant metadata or attributes")
    return value


NotSettableText = Annotated[str | None, AfterValidator(_must_be_empty)]
NotSettableMap = Annotated[dict[str, str] | None, AfterValidator(_must_be_empty)]


class AgentDispatchRequest(BaseModel):
    """An agent a client asks for; read only to notice a name other than ours."""

    agent_name: str | None = Field(
        default=None, max_length=128, validation_alias=_either_case("agent_name")
    )


class RoomConfigRequest(BaseModel):
    """LiveKit's RoomConfiguration as clients send it; other fields are ignored.

    See docs/staff-api.md, "Token endpoint"."""

    agents: list[AgentDispatchRequest] = Field(default_factory=list, max_length=8)


class TokenRequest(BaseModel):
    """LiveKit's standard token-endpoint request; every field is optional, unknown ones ignored."""

    room_name: IgnoredName | None = Field(
        default=None,
        validation_alias=_either_case("room_name"),
        description="Accepted for compatibility and not used: the server names a fresh, "
        "unguessable room, which the answer gives.",
    )
    participant_identity: IgnoredName | None = Field(
        default=None,
        validation_alias=_either_case("participant_identity"),
        description="Accepted for compatibility and not used: the answer gives a fresh one.",
    )
    participant_name: str | None = Field(
        default=None,
        max_length=128,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        validation_alias=_either_case("participant_name"),
        description="Display name.",
    )
    participant_metadata: NotSettableText = Field(
        default=None,
        validation_alias=_either_case("participant_metadata"),
        description="Not settable here: absent or empty, 422 otherwise.",
        json_schema_extra={"maxLength": 0},
    )
    participant_attributes: NotSettableMap = Field(
        default=None,
        validation_alias=_either_case("participant_attributes"),
        description="Not settable here: absent or empty, 422 otherwise.",
        json_schema_extra={"maxProperties": 0},
    )
    room_config: RoomConfigRequest | None = Field(
        default=None,
        validation_alias=_either_case("room_config"),
        description="Accepted for compatibility; the room always gets this deployment's agent.",
    )


class TokenPublic(BaseModel):
    """Where to connect and the token to connect with, under both names clients read."""

    server_url: str
    participant_token: str
    room_name: str
    participant_identity: str
    # The same values under the camelCase names LiveKit's React starters read.
    serverUrl: str
    participantToken: str
    roomName: str
    participantIdentity: str


class CallPublic(Call):
    """A call in the list: the caller's number masked (whole in the call's own page)."""

    @classmethod
    def listed(cls, call: Call) -> CallPublic:
        masked = mask_phone(call.caller_number)
        return cls.model_validate(call.model_dump() | {"caller_number": masked})


class CallPagePublic(Page[CallPublic]):
    pass


class CallDetailPublic(Call):
    """One call: the whole number, for staff to call back, and its transcript."""

    lines: list[CallLine]
    # How many recordings of its audio there are (RECORD_CALLS): one per agent that served it,
    # each at /api/calls/{id}/recording?part=N.
    recordings: int = 0
