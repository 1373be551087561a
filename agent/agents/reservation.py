"""Books, changes and cancels tables, asking only for what the caller has not said."""

from __future__ import annotations

import hashlib

from livekit.agents import ToolError, function_tool

from agent.agents import prompts
from agent.agents.base import ReceptionAgent
from agent.agents.booking_changes import cancel_booking, change_booking
from agent.agents.existing_bookings import check_booking_name, choose_booking, find_booking
from agent.agents.moves import agreed_to, another_table, move_booked, moves
from agent.agents.phrasing import (
    describe_booking,
    say_date,
    say_phone,
    say_time,
    say_when,
    spell_code,
)
from agent.agents.refusals import already_booked
from agent.agents.transfers import transfer_to_escalation, transfer_to_information
from agent.call.read_back import ReadBack, answer
from agent.call.state import CallState, RunContext_T
from agent.turns.endpointing import kind_of_detail
from core.errors import (
    AlreadyBooked,
    BookingRejected,
    DatabaseUnavailable,
)
from core.models import Reservation


@function_tool
async def record_booking_details(
    context: RunContext_T,
    name: str | None = None,
    phone: str | None = None,
    date: str | None = None,
    time: str | None = None,
    party_size: int | str | None = None,
    notes: str | None = None,
    separate_booking: bool = False,
) -> str:
    """Save booking details as soon as the caller gives them; pass only what they just
    said. Returns what is known and the next step. Once a table is booked in this call,
    details the caller gives change that booking (it is moved, never booked twice).

    Args:
        name: the name for the booking.
        phone: the caller's phone number as said.
        date: the day as said in English ("Saturday", "the 25th", "tomorrow"), or in
            any language as its weekday and YYYY-MM-DD ("Friday 2026-12-04").
        time: the time as said ("7pm", "half past seven") or HH:MM (24-hour).
        party_size: how many guests: a number, or as said.
        notes: an occasion, allergy or seating wish; added to those already noted.
        separate_booking: true only when the caller wants another table as well as the one
            already booked in this call.
    """
    state = context.userdata
    if state.draft_booked is not None and (separate_booking or another_table(state, name, phone)):
        # Another table: what was said for the first carries over. Another name or number
        # is another table too: a booking's name and number are not what a change moves.
        state.booking = state.booking.model_copy(update={"notes": None})
        state.booked_as(None)
    details = state.read_details(
        name=name, phone=phone, date=date, time=time, party_size=party_size, notes=notes
    )
    state.take(details)
    state.intent = "book"
    if details.oversized_party:
        raise ToolError(prompts.oversized_party(state.restaurant))
    draft = state.booking
    known = "Known: " + (", ".join(draft.known(state.caller_number)) or "nothing yet") + "."
    missing = draft.missing()
    asking = details.unclear or missing
    state.expected_answer = kind_of_detail(asking[0]) if asking else None
    if details.unclear:
        # The valid details above are kept; only the unclear ones are asked again.
        raise ToolError(
            f"{known} Not understood, ask again: {', '.join(details.unclear_details())}."
        )
    if missing:
        return f"{known} Still needed: {', '.join(missing)}."
    if (made := state.draft_booked) is not None:
        if not moves(state):
            return f"{known} This is the booking already made, code {made.confirmation_code}."
        return (
            f"{known} Not changed yet: this moves the booking made in this call, code "
            f"{made.confirmation_code}, rather than making a second one. Next, check "
            "availability (check_availability)."
        )
    return f"{known} {prompts.CHECK_NEXT}"


@function_tool
async def check_availability(context: RunContext_T) -> str:
    """Check whether the recorded date, time and party size can be booked, before reading
    the booking back to the caller."""
    state = context.userdata
    draft = state.booking
    if draft.date is None or draft.time is None or draft.party_size is None:
        raise ToolError(f"Ask for: {', '.join(draft.missing())}.")
    made = state.draft_booked
    if made is not None and not moves(state):
        return f"Already booked in this call: {describe_booking(made)}. Nothing to check."
    if made is None:
        _within_booking_limit(state)
    try:
        availability = await state.service.check_availability(
            draft.date, draft.time, draft.party_size, moving=made
        )
    except DatabaseUnavailable as exc:
        raise ToolError(prompts.database_down(state.restaurant)) from exc
    if not availability.available:
        state.read_back = None
        state.expected_answer = "datetime"
        options = ", ".join(say_when(a) for a in availability.alternatives)
        offer = f" Offer the nearest times: {options}." if options else ""
        return f"Not available: {availability.message}{offer}"
    if missing := draft.missing():
        state.expected_answer = kind_of_detail(missing[0])
        return f"Available. Before booking, ask for: {', '.join(missing)}."
    state.read_back = ReadBack.of(agreed_to(state))
    state.expected_answer = "yes_no"
    summary = _summary(state)
    if made is not None:
        return (
            f"Available. Not changed yet: the booking made in this call, code "
            f"{made.confirmation_code}, would become {summary}. Unless you have just read this "
            "back, read it back; ask the caller to confirm, and after their yes call "
            "confirm_booking to move it."
        )
    return (
        f"Available. Nothing is booked yet. Unless you have just read these details back, read "
        f"them back: {summary}. Ask the caller to confirm, and after their yes call "
        "confirm_booking."
    )


@function_tool
async def confirm_booking(context: RunContext_T) -> str:
    """Book the table (or move the one booked in this call) once check_availability said it
    is available and the caller said yes to the booking read back."""
    state = context.userdata
    draft = state.booking
    made = state.draft_booked
    if made is not None and not moves(state):
        # A repeat of the confirmation: the same booking, never another.
        return _booked(made)
    heard = answer(state.read_back, agreed_to(state), context.session.history)
    if heard == "not_quoted":
        raise ToolError(
            "Not booked: availability has not been checked for these exact details. "
            "Call check_availability now."
        )
    if heard == "not_answered":
        raise ToolError(
            "Not booked yet: the caller has not answered the read-back. Unless you just read "
            f"it, read it back: {_summary(state)}. Ask them to confirm, and call "
            "confirm_booking after their yes."
        )
    if context.speech_handle.interrupted:
        return "The caller interrupted; nothing was booked. Ask them to confirm again."
    if made is not None:
        return await move_booked(context, made)
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
    state.booked_as(reservation)
    await state.announce("created", reservation)
    state.expected_answer = "free_text"
    return _booked(reservation)


def _booked(reservation: Reservation) -> str:
    code = reservation.confirmation_code
    return (
        f"Booked. Confirmation code {code}. Read it slowly as: {spell_code(code)}. "
        "Then ask if there is anything else."
    )


def _summary(state: CallState) -> str:
    draft = state.booking
    assert draft.date and draft.time and draft.phone
    summary = (
        f"a table for {draft.party_size} on {say_date(draft.date)} at "
        f"{say_time(draft.time)}, under {draft.name}, phone "
        f"{say_phone(draft.phone, state.caller_number)}"
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
        if known := draft.known(self.state.caller_number):
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
        if self.state.intent != "book":
            # A caller with a booking is asked for what finds it, not for a new one's details.
            notes.append(prompts.existing_booking(self.state.intent))
        elif missing := draft.missing():
            notes.append("Still needed for a new booking: " + ", ".join(missing) + ".")
        if self.state.caller_number:
            notes.append(
                "The caller's number is known from the phone line: to find their booking, call "
                "find_booking without a number rather than asking for it (it finds the booking; "
                "its details still need its code or full name)."
            )
        return " ".join(notes) or None

    def entry_instructions(self) -> str:
        if self.state.intent != "book":
            return "Briefly say you can help with their booking, then ask what finds it."
        return (
            "Briefly tell the caller what you already understood, then ask for the next "
            "missing detail."
        )
