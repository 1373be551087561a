"""Typed data a handoff carries to the next agent: what the caller has already said."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.call.identity import IdentityLevel
from core.models import Urgency
from core.spoken.details import BookingDetails

BookingIntent = Literal["book", "change", "cancel", "lookup"]
QueryType = Literal["hours", "location", "menu", "dietary", "parking", "policy", "other"]
EscalationReason = Literal["complaint", "large_group", "private_event", "special_request", "other"]


class ReservationHandoffData(BaseModel):
    """What the caller wants done about a booking, and the details they gave."""

    intent: BookingIntent = "book"
    details: BookingDetails = Field(default_factory=BookingDetails)
    # How far the caller has shown who they are, at the handoff.
    identity: IdentityLevel = "unverified"

    def entities(self) -> dict[str, Any]:
        return {"intent": self.intent, "identity": self.identity} | self.details.entities()


class InformationHandoffData(BaseModel):
    """What the caller wants to know."""

    query_type: QueryType = "other"
    items: list[str] = Field(default_factory=list)

    def entities(self) -> dict[str, Any]:
        return {"query_type": self.query_type, "items": self.items}


class EscalationHandoffData(BaseModel):
    """Why the caller needs a person."""

    reason: EscalationReason = "other"
    urgency: Urgency = "normal"
    summary: str = ""

    def entities(self) -> dict[str, Any]:
        # The summary is the caller's own words and may hold personal details.
        return {"reason": self.reason, "urgency": self.urgency, "summary_given": bool(self.summary)}


HandoffData = ReservationHandoffData | InformationHandoffData | EscalationHandoffData
