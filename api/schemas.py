"""Response bodies, named by role; field names follow the original reservation API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BaseModel, Field, PlainSerializer

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
    # Null once a past visit's personal data has been anonymised (restaurant.toml [retention]).
    phone_number: str | None
    name: str | None
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


# Room names and identities a caller may choose: 1-128 characters that need no escaping in a
# URL, a log line or a JWT.
SAFE_NAME = r"^[A-Za-z0-9_.:-]+$"


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
    """LiveKit's RoomConfiguration as clients send it; other fields are ignored (see README)."""

    agents: list[AgentDispatchRequest] = Field(default_factory=list, max_length=8)


class TokenRequest(BaseModel):
    """LiveKit's standard token-endpoint request; every field is optional, unknown ones ignored."""

    room_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        pattern=SAFE_NAME,
        validation_alias=_either_case("room_name"),
        description="The room to join; a fresh, unguessable one when absent.",
    )
    participant_identity: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        pattern=SAFE_NAME,
        validation_alias=_either_case("participant_identity"),
        description="The caller's identity in the room; a fresh one when absent.",
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
