"""The one piece of state a call carries from agent to agent (livekit's session userdata)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from livekit.agents import RunContext

from agent.handoff_data import (
    EscalationHandoffData,
    InformationHandoffData,
    ReservationHandoffData,
    describe_known,
)
from agent.notifications import NoticeKind, ReservationNotice
from core.booking import ReservationService
from core.models import Reservation
from core.restaurant import Restaurant

if TYPE_CHECKING:
    from livekit.agents import Agent


@dataclass
class BookingDraft:
    """The booking as the caller has described it so far; survives topic switches."""

    name: str | None = None
    phone: str | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    party_size: int | None = None
    notes: str | None = None

    REQUIRED = ("name", "phone", "date", "time", "party_size")

    def merge(self, data: ReservationHandoffData) -> None:
        """Take every detail the handoff understood, keeping what was known before."""
        for name in ("name", "phone", "date", "time", "party_size", "notes"):
            value = getattr(data, name)
            if value is not None:
                setattr(self, name, value)

    def missing(self) -> list[str]:
        labels = {"party_size": "party size", "phone": "phone number"}
        return [labels.get(n, n) for n in self.REQUIRED if getattr(self, n) is None]

    def known(self) -> list[str]:
        return describe_known(ReservationHandoffData.model_validate(self.__dict__))

    def key(self) -> tuple[object, ...]:
        return (self.phone, self.date, self.time, self.party_size, self.name, self.notes)


Notifier = Callable[[ReservationNotice], Awaitable[None]]


@dataclass
class CallState:
    """Everything one call knows: who is talking to whom, and what the caller said."""

    restaurant: Restaurant
    service: ReservationService
    session_id: str
    notify: Notifier
    agents: dict[str, Agent] = field(default_factory=dict)
    previous_agent: Agent | None = None
    booking: BookingDraft = field(default_factory=BookingDraft)
    # The details whose availability was checked and read back; a booking must match them.
    quoted: tuple[object, ...] | None = None
    unclear: list[str] = field(default_factory=list)
    oversized_party: int | None = None
    # An existing booking the caller is changing or cancelling.
    found: Reservation | None = None
    information: InformationHandoffData | None = None
    escalation: EscalationHandoffData | None = None
    # (code, status, updated_at) already sent to the room, so a repeat is never sent twice.
    announced: set[tuple[str, str, dt.datetime]] = field(default_factory=set)
    # Fire-and-forget writes (handoff analytics) kept referenced until they finish.
    background: set[asyncio.Task[None]] = field(default_factory=set)

    async def announce(self, kind: NoticeKind, reservation: Reservation) -> None:
        """Tell the caller's app about a booking change, once, however often a tool repeats."""
        key = (reservation.confirmation_code, reservation.status, reservation.updated_at)
        if key in self.announced:
            return
        self.announced.add(key)
        await self.notify(ReservationNotice.of(kind, reservation))


RunContext_T = RunContext[CallState]
