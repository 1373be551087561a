"""A booking the caller already has: finding it, letting them show it is theirs before anything
is said (changing or cancelling it: agent/agents/booking_changes.py). The reservation agent
lists these tools.

Found by its code, a booking is the caller's. Found by phone number (the one they give, or the
one they call from) it is only said to exist, until the caller names it in full or gives its
code (agent/call/identity.py). Every failed proof also counts against the booking across calls,
and too many stop self-service for its number (agent/agents/proofs.py).
"""

from __future__ import annotations

from livekit.agents import ToolError, function_tool

from agent.agents import prompts
from agent.agents.phrasing import describe_booking
from agent.agents.proofs import ensure_not_locked, record_failed_proofs
from agent.call.identity import one_name_only, same_name
from agent.call.read_back import moment
from agent.call.state import CallState, RunContext_T
from core.errors import DatabaseUnavailable, InvalidValue, ReservationNotFound
from core.models import Reservation
from core.spoken.codes import InvalidConfirmationCode, normalize_confirmation_code
from core.spoken.details import read_phone

WHOLE_NAME = (
    "One name is not enough to show the booking is theirs. Ask for their whole name as booked, "
    "first name and surname, or for the booking's confirmation code; say nothing about the "
    "booking."
)
NOT_SHOWN = (
    "Nothing was done yet: before a booking is changed or cancelled, ask for its "
    "confirmation code or the full name it is under."
)
TOO_MANY_TRIES = (
    "The caller could not be matched to a booking after several tries, so no more lookups in "
    "this call. Offer to take a message for our team (transfer_to_escalation), who will call "
    "the number on the booking."
)


@function_tool
async def find_booking(
    context: RunContext_T,
    phone: str | None = None,
    confirmation_code: str | None = None,
) -> str:
    """Find the caller's existing booking by confirmation code or phone number. On a phone
    call, leave both out to look up the number the caller is calling from. A booking found by
    number is described only once the caller gives its code or the full name it is under.

    Args:
        phone: the phone number the booking was made with, as said.
        confirmation_code: the six-character code, as said.
    """
    state = context.userdata
    _still_allowed(state)
    # The line's own number, not one the caller guessed: finding nothing under it is no failed
    # proof (they may have booked from another phone).
    own_number = not confirmation_code and not phone
    try:
        if confirmation_code:
            found = [await state.service.by_code(confirmation_code)]
        else:
            number = _number(state, phone)
            # Before anything is said, even that a booking exists.
            await ensure_not_locked(state, number)
            found = await state.service.upcoming_by_phone(number)
    except ReservationNotFound as exc:
        _failed(state)
        raise ToolError(f"{exc} Ask them to check it, or try the phone number.") from exc
    except InvalidConfirmationCode as exc:
        raise ToolError(f"{exc.message} Ask them to check it.") from exc
    except DatabaseUnavailable as exc:
        raise ToolError(prompts.database_down(state.restaurant)) from exc
    # Only a booking not over yet can be changed (a past one may be anonymised already): one
    # still to come, or today's whose sitting has begun, for a caller running late.
    since = state.service.still_current_since()
    found = [r for r in found if r.status == "confirmed" and r.starts_at >= since]
    if not found:
        if not own_number:
            _failed(state)
        raise ToolError(
            "No upcoming booking found. Ask for the confirmation code, or the phone number "
            "the booking was made with."
        )
    if confirmation_code:
        # A right code does not lift a lock: the owner is called back instead.
        await ensure_not_locked(state, found[0].phone_number)
        state.identity.prove(found[0], "holds_code")
    state.found_bookings = found
    state.selected_booking = None
    known = [r for r in found if state.may_know(r)]
    if not known:
        # Learning that a booking exists is something too, for a caller who cannot show more.
        await record_failed_proofs(state, found)
    return _show(state, known, len(found))


@function_tool
async def check_booking_name(context: RunContext_T, name: str) -> str:
    """Check the name the caller says a booking found by phone number is under, before
    telling them anything about it. Pass the name exactly as they said it, even a surname or
    title alone; the result says what else to ask for.

    Args:
        name: the full name the caller says the booking is under.
    """
    state = context.userdata
    _still_allowed(state)
    if not state.found_bookings:
        raise ToolError("Find the booking first (by confirmation code or phone number).")
    found = state.found_bookings
    await ensure_not_locked(state, found[0].phone_number)
    named = [r for r in found if r.name is not None and same_name(name, r.name)]
    if not named and one_name_only(name) and state.identity.one_names == 0:
        # A surname alone ("Lim", "Mrs Lim") is asked again, once a call, before it counts:
        # the same answer whatever the booking's name, so it gives nothing away.
        state.identity.one_names += 1
        raise ToolError(WHOLE_NAME)
    if not named:
        await record_failed_proofs(state, found)
        _failed(state)
        raise ToolError(
            "That is not the name on the booking. Say so without saying the right name; "
            "ask for the full name exactly as booked, or for the confirmation code."
        )
    for reservation in named:
        state.identity.prove(reservation, "knows_name")
    return _show(state, named, len(named))


@function_tool
async def choose_booking(context: RunContext_T, confirmation_code: str) -> str:
    """Pick the booking the caller means, when several were found.

    Args:
        confirmation_code: the code of the booking they chose.
    """
    state = context.userdata
    _still_allowed(state)
    try:
        code = normalize_confirmation_code(confirmation_code)
    except InvalidConfirmationCode as exc:
        raise ToolError(f"{exc.message} Ask which booking they mean.") from exc
    if state.found_bookings:
        await ensure_not_locked(state, state.found_bookings[0].phone_number)
    for reservation in state.found_bookings:
        if reservation.confirmation_code == code:
            # Saying a booking's code shows it is theirs, listed or not.
            state.identity.prove(reservation, "holds_code")
            state.selected_booking = reservation
            state.described[code] = moment()
            described = describe_booking(reservation)
            return f"Selected: {described}. Ask what they would like to do."
    await record_failed_proofs(state, state.found_bookings)
    _failed(state)
    raise ToolError("That is not one of the bookings found. Ask which one they mean.")


def _show(state: CallState, known: list[Reservation], found: int) -> str:
    """What the model may hear: the bookings the caller has shown are theirs, or only that
    bookings exist."""
    if not known:
        exists = (
            "There is a booking under that number"
            if found == 1
            else "There are bookings under that number"
        )
        return (
            f"{exists}. Before anything about it is said, ask for the full name it is under "
            "(then call check_booking_name) or its confirmation code."
        )
    for reservation in known:
        # Described to the model, so to the caller: what a cancellation reads back.
        state.described[reservation.confirmation_code] = moment()
    if len(known) > 1:
        listed = "; ".join(describe_booking(r) for r in known)
        return (
            f"Several bookings: {listed}. Ask which one they mean, then call "
            "choose_booking with its code."
        )
    state.selected_booking = known[0]
    return f"Found: {describe_booking(known[0])}. Ask what they would like to do."


def _number(state: CallState, phone: str | None) -> str:
    if not phone:
        if state.caller_number is None:
            raise ToolError("Ask for the confirmation code or the phone number.")
        return state.caller_number
    try:
        return read_phone(state.restaurant, phone)
    except InvalidValue as exc:
        raise ToolError(f"{exc.message} Ask again.") from exc


def selected(state: CallState) -> Reservation:
    selected = state.selected_booking
    # Selected only once shown to be theirs; checked again where it matters most.
    if selected is not None and state.may_know(selected):
        return selected
    if selected is not None or (
        state.found_bookings and not any(state.may_know(r) for r in state.found_bookings)
    ):
        raise ToolError(NOT_SHOWN)
    raise ToolError("Find the booking first (by confirmation code or phone number).")


def _still_allowed(state: CallState) -> None:
    if state.identity.exhausted:
        raise ToolError(TOO_MANY_TRIES)


def _failed(state: CallState) -> None:
    state.identity.fail()
    _still_allowed(state)
