"""Books, changes and cancels tables, asking only for what the caller has not said."""

from __future__ import annotations

import hashlib

from livekit.agents import ToolError, function_tool

from agent.agents import prompts
from agent.agents.base import ReceptionAgent
from agent.agents.existing_bookings import (
    cancel_booking,
    change_booking,
    check_booking_name,
    choose_booking,
    find_booking,
)
from agent.agents.phrasing import say_date, say_time, say_when, spell_code
from agent.agents.refusals import already_booked
from agent.agents.transfers import transfer_to_escalation, transfer_to_information
from agent.call.state import BookingDraft, CallState, RunContext_T
from agent.turns.endpointing import kind_of_detail
from core.errors import (
    AlreadyBooked,
    BookingRejected,
    DatabaseUnavailable,
)


@function_tool
async def record_booking_details(
    context: RunContext_T,
    name: str | None = None,
    phone: str | None = None,
    date: str | None = None,
    time: str | None = None,
    party_size: str | None = None,
    notes: str | None = None,
) -> str:
    """Save booking details as soon as the caller gives them; pass only what they just
    said. Returns what is known and what is still missing.

    Args:
        name: the name for the booking.
        phone: the caller's phone number as said.
        date: the day as said in English ("Saturday", "the 25th", "tomorrow"), or in
            any language as its weekday and YYYY-MM-DD ("Friday 2026-12-04").
        time: the time as said ("7pm", "half past seven") or HH:MM (24-hour).
        party_size: how many guests, as said.
        notes: occasion, allergies or seating wishes.
    """
    state = context.userdata
    details = state.read_details(
        name=name, phone=phone, date=date, time=time, party_size=party_size, notes=notes
    )
    state.take(details)
    if details.oversized_party:
        raise ToolError(prompts.oversized_party(state.restaurant))
    draft = state.booking
    known = "Known: " + (", ".join(draft.known()) or "nothing yet") + "."
    missing = draft.missing()
    asking = details.unclear or missing
    state.expected_answer = kind_of_detail(asking[0]) if asking else None
    if details.unclear:
        # The valid details above are kept; only the unclear ones are asked again.
        raise ToolError(
            f"{known} Not understood, ask again: {', '.join(details.unclear_details())}."
        )
    return f"{known} Still needed: {', '.join(missing)}." if missing else f"{known} All set."


@function_tool
async def check_availability(context: RunContext_T) -> str:
    """Check whether the recorded date, time and party size can be booked."""
    state = context.userdata
    draft = state.booking
    if draft.date is None or draft.time is None or draft.party_size is None:
        raise ToolError(f"Ask for: {', '.join(draft.missing())}.")
    _within_booking_limit(state)
    try:
        answer = await state.service.check_availability(draft.date, draft.time, draft.party_size)
    except DatabaseUnavailable as exc:
        raise ToolError(prompts.database_down(state.restaurant)) from exc
    if not answer.available:
        state.read_back = None
        state.expected_answer = "datetime"
        options = ", ".join(say_when(a) for a in answer.alternatives)
        offer = f" Offer the nearest times: {options}." if options else ""
        return f"Not available: {answer.message}{offer}"
    if missing := draft.missing():
        state.expected_answer = kind_of_detail(missing[0])
        return f"Available. Before booking, ask for: {', '.join(missing)}."
    state.read_back = draft.key()
    state.expected_answer = "yes_no"
    return f"Available. Read this back and ask the caller to confirm: {_summary(draft)}."


@function_tool
async def confirm_booking(context: RunContext_T) -> str:
    """Book the table. Only after check_availability said it is available, you read the
    booking back, and the caller said yes."""
    state = context.userdata
    draft = state.booking
    if state.read_back is None or state.read_back != draft.key():
        raise ToolError("Check availability and read the booking back first.")
    if context.speech_handle.interrupted:
        return "The caller interrupted; nothing was booked. Ask them to confirm again."
    _within_booking_limit(state)
    # A caller talking over the agent must not leave a half-made booking.
    context.disallow_interruptions()
    assert draft.name and draft.phone and draft.date and draft.time and draft.party_size
    key = _idempotency_key(state)
    try:
        reservation = await state.service.create(
            phone_number=draft.phone,
            name=draft.name,
            reservation_date=draft.date,
            reservation_time=draft.time,
            party_size=draft.party_size,
            other_info={"notes": draft.notes} if draft.notes else {},
            # The same details in the same call book once, however often the model asks.
            idempotency_key=key,
            session_id=state.session_id,
            caller_key=state.caller_key,
        )
    except BookingRejected as exc:
        state.read_back = None
        options = ", ".join(say_when(a) for a in exc.alternatives)
        raise ToolError(f"Not booked: {exc.message} Nearest times: {options or 'none'}.") from exc
    except AlreadyBooked as exc:
        refusal = await already_booked(state, exc, draft.phone, draft.date, outcome="Not booked")
        raise ToolError(refusal) from exc
    except DatabaseUnavailable as exc:
        raise ToolError(prompts.database_down(state.restaurant)) from exc
    state.booked[key] = reservation.confirmation_code
    # Made by this caller, in this call: theirs to change or cancel without more proof.
    state.identity.prove(reservation, "holds_code")
    state.selected_booking = reservation
    await state.announce("created", reservation)
    code = reservation.confirmation_code
    state.expected_answer = "free_text"
    return (
        f"Booked. Confirmation code {code}. Read it slowly as: {spell_code(code)}. "
        "Then ask if there is anything else."
    )


def _summary(draft: BookingDraft) -> str:
    assert draft.date and draft.time
    summary = (
        f"a table for {draft.party_size} on {say_date(draft.date)} at "
        f"{say_time(draft.time)}, under {draft.name}, phone {draft.phone}"
    )
    return f"{summary}, notes: {draft.notes}" if draft.notes else summary


def _within_booking_limit(state: CallState) -> None:
    """Refuse a new booking past the call's limit; the booking it already made may repeat."""
    made = state.booked
    if len(made) >= state.limits.bookings and _idempotency_key(state) not in made:
        raise ToolError(prompts.booking_limit(state.restaurant, state.limits.bookings))


def _idempotency_key(state: CallState) -> str:
    details = repr(state.booking.key()).encode()
    # The caller in this live room, not the room's name alone: a later room of the same name
    # asking for the same details must not be handed this caller's booking.
    call = state.caller_key or state.session_id
    return f"{call}:{hashlib.sha256(details).hexdigest()[:32]}"


class ReservationAgent(ReceptionAgent):
    role = "reservation"
    offers = (
        # A new booking, above.
        record_booking_details,
        check_availability,
        confirm_booking,
        # A booking the caller already has (agent/agents/existing_bookings.py).
        find_booking,
        check_booking_name,
        choose_booking,
        change_booking,
        cancel_booking,
        # Where it can send the caller.
        transfer_to_information,
        transfer_to_escalation,
    )

    def briefing(self) -> str | None:
        draft, notes = self.state.booking, []
        if known := draft.known():
            notes.append("Already understood: " + ", ".join(known) + ".")
        if self.state.unclear:
            notes.append("Said but unclear, ask again: " + ", ".join(self.state.unclear) + ".")
        if self.state.oversized_party:
            notes.append(
                f"The caller wants a table for {self.state.oversized_party}. "
                + prompts.oversized_party(self.state.restaurant)
            )
        if (number := self.state.caller_number) is not None and draft.phone == number:
            notes.append(prompts.calling_from(number))
        if missing := draft.missing():
            notes.append("Still needed for a new booking: " + ", ".join(missing) + ".")
        if self.state.caller_number:
            notes.append(
                "The caller's number is known from the phone line: to find their booking, call "
                "find_booking without a number rather than asking for it (it finds the booking; "
                "its details still need its code or full name)."
            )
        return " ".join(notes) or None

    def entry_instructions(self) -> str:
        return (
            "Briefly tell the caller what you already understood, then ask for the next "
            "missing detail (or, to change or cancel, for their phone number or code)."
        )
