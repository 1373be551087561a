"""Typed data passed between agents at a handoff: what the caller has already said."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.entities import (
    EntityError,
    PartySizeTooLarge,
    normalize_phone,
    resolve_date,
    resolve_party_size,
    resolve_time,
)
from agent.phrasing import say_date, say_time
from core.models import Urgency
from core.restaurant import Restaurant

BookingIntent = Literal["book", "change", "cancel", "lookup"]
QueryType = Literal["hours", "location", "menu", "dietary", "parking", "policy", "other"]


class ReservationHandoffData(BaseModel):
    """What the greeter understood about a booking; every field may be missing."""

    intent: BookingIntent = "book"
    party_size: int | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    name: str | None = None
    phone: str | None = None
    notes: str | None = None
    confirmation_code: str | None = None
    # Said but not understood: the reservation agent asks for these again.
    unclear: list[str] = Field(default_factory=list)
    # Why, where the parser could say more than "I didn't catch" (e.g. a weekday that is not
    # the date's): label -> a sentence for the caller. Kept out of the logs.
    why_unclear: dict[str, str] = Field(default_factory=dict)
    # A group above the maximum party size: only staff can arrange it.
    oversized_party: int | None = None

    @classmethod
    def extract(
        cls,
        *,
        restaurant: Restaurant,
        now: dt.datetime,
        intent: BookingIntent = "book",
        party_size: str | None = None,
        date: str | None = None,
        time: str | None = None,
        name: str | None = None,
        phone: str | None = None,
        notes: str | None = None,
        confirmation_code: str | None = None,
    ) -> ReservationHandoffData:
        """Normalise what the model extracted; a value that does not parse is dropped, not fatal."""
        data = cls(intent=intent, name=_text(name), notes=_text(notes))
        data.confirmation_code = _text(confirmation_code)
        parsers: dict[str, tuple[str | None, Callable[[str], object]]] = {
            "party size": (
                party_size,
                lambda raw: resolve_party_size(raw, restaurant.booking.max_party_size),
            ),
            "date": (date, lambda raw: resolve_date(raw, now, restaurant.tz)),
            "time": (time, resolve_time),
            "phone number": (phone, normalize_phone),
        }
        for label, (raw, parse) in parsers.items():
            if not _text(raw):
                continue
            try:
                value = parse(str(raw))
            except PartySizeTooLarge as too_large:
                data.oversized_party = too_large.size
                continue
            except EntityError as unclear:
                data.unclear.append(label)
                if unclear.message != type(unclear).default_message:
                    data.why_unclear[label] = unclear.message
                continue
            setattr(data, _FIELD[label], value)
        return data

    def unclear_details(self) -> list[str]:
        """What to ask again, each with the reason to give the caller where there is one."""
        return [
            f"{label} ({self.why_unclear[label]})" if label in self.why_unclear else label
            for label in self.unclear
        ]

    def entities(self) -> dict[str, Any]:
        """For logs and analytics: which details were given, with personal data masked."""
        return {
            "intent": self.intent,
            "party_size": self.party_size,
            "date": self.date.isoformat() if self.date else None,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "name_given": self.name is not None,
            "phone": mask_phone(self.phone),
            "notes_given": self.notes is not None,
            "unclear": self.unclear,
            "oversized_party": self.oversized_party,
        }


class InformationHandoffData(BaseModel):
    """What the caller wants to know."""

    query_type: QueryType = "other"
    items: list[str] = Field(default_factory=list)

    def entities(self) -> dict[str, Any]:
        return {"query_type": self.query_type, "items": self.items}


class EscalationHandoffData(BaseModel):
    """Why the caller needs a person."""

    reason: str = "other"
    urgency: Urgency = "normal"
    summary: str = ""

    def entities(self) -> dict[str, Any]:
        # The summary is the caller's own words and may hold personal details.
        return {"reason": self.reason, "urgency": self.urgency, "summary_given": bool(self.summary)}


HandoffData = ReservationHandoffData | InformationHandoffData | EscalationHandoffData


def mask_phone(phone: str | None) -> str | None:
    """ "+6598207272" -> "+65******72": enough to tell calls apart, not to dial."""
    if not phone:
        return None
    return phone[:3] + "*" * (len(phone) - 5) + phone[-2:]


def describe_known(data: ReservationHandoffData) -> list[str]:
    """The details already understood, as short phrases for the next agent's context."""
    known = []
    if data.party_size:
        known.append(f"party of {data.party_size}")
    if data.date:
        known.append(say_date(data.date))
    if data.time:
        known.append(say_time(data.time))
    if data.name:
        known.append(f"name {data.name}")
    if data.phone:
        known.append(f"phone {data.phone}")
    if data.notes:
        known.append(f"notes: {data.notes}")
    if data.confirmation_code:
        known.append(f"confirmation code {data.confirmation_code}")
    return known


_FIELD = {"party size": "party_size", "date": "date", "time": "time", "phone number": "phone"}


def _text(raw: object) -> str | None:
    text = str(raw).strip() if raw is not None else ""
    return text or None
