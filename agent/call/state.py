"""The one piece of state a call carries from agent to agent (livekit's session userdata)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from livekit.agents import RunContext

from agent.agents.handoff_data import (
    BookingIntent,
    EscalationHandoffData,
    HandoffData,
    InformationHandoffData,
)
from agent.agents.phrasing import say_date, say_phone, say_time
from agent.call.identity import CallerIdentity
from agent.call.read_back import ReadBack, moment
from agent.call.room_messages import NoticeKind, ReservationNotice
from agent.turns.endpointing import AnswerKind
from core.models import Reservation
from core.restaurant import Restaurant
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from core.settings import Settings
from core.spoken.details import BookingDetails, BookingFields, read_details

if TYPE_CHECKING:
    from livekit.agents import Agent

# What a new booking cannot do without, as the caller would name it.
REQUIRED = {
    "name": "name",
    "phone": "phone number",
    "date": "date",
    "time": "time",
    "party_size": "party size",
}


class BookingDraft(BookingFields):
    """The booking as the caller has described it so far; survives topic switches."""

    # The time as said before the day was: read again against that day's services.
    time_said: str | None = None

    def merge(self, details: BookingDetails) -> None:
        """Take every detail that was understood, keeping what was known before; a note is
        added to the notes already taken (an allergy, then a birthday: both)."""
        for name in BookingFields.model_fields:
            value = getattr(details, name)
            if name == "notes":
                self.notes = add_note(self.notes, value)
            elif value is not None:
                setattr(self, name, value)
        if details.time is not None:
            self.time_said = details.time_said

    def missing(self) -> list[str]:
        return [label for name, label in REQUIRED.items() if getattr(self, name) is None]

    def known(self, calling_from: str | None = None) -> list[str]:
        """The details already understood, as short phrases for an agent's context (the
        caller's own number, `calling_from`, only by its last digits)."""
        known = []
        if self.party_size:
            known.append(f"party of {self.party_size}")
        if self.date:
            known.append(say_date(self.date))
        if self.time:
            known.append(say_time(self.time))
        if self.name:
            known.append(f"name {self.name}")
        if self.phone:
            known.append(f"phone {say_phone(self.phone, calling_from)}")
        if self.notes:
            known.append(f"notes: {self.notes}")
        if self.confirmation_code:
            known.append(f"confirmation code {self.confirmation_code}")
        return known

    def key(self) -> tuple[object, ...]:
        """What a booking is made of: the same key in one call books once."""
        return (self.phone, self.date, self.time, self.party_size, self.name, self.notes)


def add_note(notes: str | None, note: str | None) -> str | None:
    """`note` added to `notes`, unless they already say it."""
    if not note or (notes and note.casefold() in notes.casefold()):
        return notes
    return f"{notes}; {note}" if notes else note


Notifier = Callable[[ReservationNotice], Awaitable[None]]


@dataclass(frozen=True)
class CallLimits:
    """The most one call may do, so that no caller can flood the book or the staff's phone."""

    bookings: int
    # Messages for staff, each a callback someone must make.
    callbacks: int

    @classmethod
    def of(cls, settings: Settings) -> CallLimits:
        return cls(settings.max_bookings_per_call, settings.max_callbacks_per_call)


@dataclass
class CallState:
    """Everything one call knows: who is talking to whom, and what the caller said."""

    restaurant: Restaurant
    service: ReservationService
    # Handoffs and messages for staff (core/services/calls.py).
    calls: CallService
    session_id: str
    notify: Notifier
    # Failed proofs of who the caller is, counted per booking across calls.
    proofs: FailedProofs
    limits: CallLimits
    # The caller ID of a phone call, in E.164; None for browser calls or a withheld number.
    # A hint: it pre-fills the booking's phone and finds bookings, and proves nothing...
    caller_number: str | None = None
    # ...unless the carrier attested it and TRUST_CALLER_ID=attested (agent/phone/line.py).
    caller_attested: bool = False
    # Which caller in which live room this is (agent/call/start.py:caller_key); None until the
    # caller has joined.
    caller_key: str | None = None
    # Whether the call's audio is recorded (RECORD_CALLS): the greeting says so.
    recorded: bool = False
    agents: dict[str, Agent] = field(default_factory=dict)
    previous_agent: Agent | None = None
    # The data the latest handoff carried, for the handoff log (agent/hooks/handoff_log.py).
    last_handoff: HandoffData | None = None
    booking: BookingDraft = field(default_factory=BookingDraft)
    # What the caller wants done at the reservations desk: a new table, or one they have.
    intent: BookingIntent = "book"
    # What a tool last gave the model to read back (a booking after its availability check, a
    # change, a cancellation): only that, once the caller has answered, is done
    # (agent/call/read_back.py).
    read_back: ReadBack | None = None
    # The booking `booking` became in this call: the caller's later changes to the draft
    # ("actually, Sunday") move it rather than book a second table.
    draft_booked: Reservation | None = None
    # The turn (livekit speech id) whose transfer won, when a model calls several transfer
    # tools at once, and what the others wanted, for the agent the caller goes to.
    handoff_turn: str | None = None
    handoff_waiting: list[str] = field(default_factory=list)
    # When each booking was last described to the model (code -> time): a caller who heard
    # it and then asked to cancel it has had it read back.
    described: dict[str, float] = field(default_factory=dict)
    # Said but not understood, to ask again (with the reason where there is one).
    unclear: list[str] = field(default_factory=list)
    # What the latest tool result told the agent to ask the caller for; endpoints the caller's
    # answer when the agent's own words do not say (agent/turns/endpointing.py).
    expected_answer: AnswerKind | None = None
    # A group larger than we book, which only staff can arrange.
    oversized_party: int | None = None
    # The existing booking the caller is changing or cancelling (always one they may know).
    selected_booking: Reservation | None = None
    # Bookings a lookup found, shown or not; the caller picks one or proves which is theirs.
    found_bookings: list[Reservation] = field(default_factory=list)
    # Which bookings the caller has shown are theirs (agent/call/identity.py).
    identity: CallerIdentity = field(default_factory=CallerIdentity)
    # A call picked up again after its agent was lost, with what it had booked by then.
    resumed: bool = False
    booked_earlier: list[Reservation] = field(default_factory=list)
    information: InformationHandoffData | None = None
    escalation: EscalationHandoffData | None = None
    # Bookings this call made, by the idempotency key they were made with (by code for those
    # made before the call was resumed), and messages it left for staff: what the limits count.
    booked: dict[str, str] = field(default_factory=dict)
    callbacks: int = 0
    # (code, status, updated_at) already sent to the room, so a repeat is never sent twice.
    announced: set[tuple[str, str, dt.datetime]] = field(default_factory=set)
    # Booking changes announced and not yet in the call's record (agent/hooks/call_record.py).
    done: list[tuple[NoticeKind, Reservation]] = field(default_factory=list)
    # Fire-and-forget writes (handoff analytics) kept referenced until they finish.
    background: set[asyncio.Task[None]] = field(default_factory=set)

    def read_details(self, on: dt.date | None = None, **said: str | int | None) -> BookingDetails:
        """What the caller just said about a booking, read with the restaurant's locale; a
        time against the services of `on` (else the day the draft has) unless a day is said."""
        return read_details(self.restaurant, self.service.now(), on or self.booking.date, **said)

    def take(self, details: BookingDetails) -> None:
        """Fold what the caller just said into the booking, and note what to ask again."""
        self.booking.merge(details)
        if details.date is not None and details.time is None and self.booking.time_said:
            # "Half ten" said before "Sunday": 10:30 on a Sunday of brunch, not 22:30.
            again = read_details(
                self.restaurant, self.service.now(), details.date, time=self.booking.time_said
            )
            self.booking.time = again.time or self.booking.time
        self.unclear = details.unclear_details()
        if details.party_size is not None:
            self.oversized_party = None
        if details.oversized_party is not None:
            self.oversized_party = details.oversized_party
        if details.confirmation_code is not None:
            # A new code means another booking: find it again rather than act on the old one.
            self.selected_booking = None

    def booked_as(self, reservation: Reservation | None) -> None:
        """The draft's booking is now `reservation` (made or moved), or gone (None)."""
        self.draft_booked = reservation
        self.read_back = None
        if reservation is None:
            return
        self.described[reservation.confirmation_code] = moment()
        self.booking.date = reservation.reservation_date
        self.booking.time = reservation.reservation_time
        self.booking.party_size = reservation.party_size
        self.booking.notes = reservation.other_info.get("notes") or None

    def made_here(self, reservation: Reservation) -> None:
        """Keep the draft in step when a booking made in this call is changed another way."""
        if self.draft_booked is not None and (
            self.draft_booked.confirmation_code == reservation.confirmation_code
        ):
            self.booked_as(reservation if reservation.status == "confirmed" else None)

    @property
    def attested_number(self) -> str | None:
        """The caller ID, when it proves the bookings under it."""
        return self.caller_number if self.caller_attested else None

    def may_know(self, reservation: Reservation) -> bool:
        """Whether the caller has shown this booking is theirs."""
        return self.identity.level_for(reservation, self.attested_number) != "unverified"

    async def announce(self, kind: NoticeKind, reservation: Reservation) -> None:
        """Tell the caller's app about a booking change, once, however often a tool repeats."""
        key = (reservation.confirmation_code, reservation.status, reservation.updated_at)
        if key in self.announced:
            return
        self.announced.add(key)
        self.done.append((kind, reservation))
        await self.notify(ReservationNotice.of(kind, reservation))


RunContext_T = RunContext[CallState]
