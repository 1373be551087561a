"""A booking made in this call, changed by the caller before they hang up ("actually,
Sunday instead"): whichever tools the model takes, the booking moves and no second one is made.

The draft a booking was made from stays tied to it (`CallState.draft_booked`): details given
after it change the draft, and confirming the draft then moves that booking. A second table
is only made when the model says the caller wants one (record_booking_details'
`separate_booking`), or for another name or number. The booking's own tools (change_booking)
keep the draft in step (`CallState.made_here`).
"""

from __future__ import annotations

from datetime import date, time

from agent.agents.phrasing import describe_booking
from agent.agents.refusals import refused
from agent.call.read_back import moment
from agent.call.state import CallState, RunContext_T
from core.errors import InvalidValue
from core.models import Reservation
from core.spoken.details import read_phone


def moves(state: CallState) -> bool:
    """Whether the draft now says something else than the booking it was made as."""
    made, draft = state.draft_booked, state.booking
    if made is None:
        return False
    return (draft.date, draft.time, draft.party_size, draft.notes or None) != (
        made.reservation_date,
        made.reservation_time,
        made.party_size,
        made.other_info.get("notes") or None,
    )


def another_table(state: CallState, name: str | None, phone: str | None) -> bool:
    """Whether a name or number just said is not the draft's: another table, since a
    booking's name and number are not what a change moves."""
    draft = state.booking
    if name and draft.name and name.strip().casefold() != draft.name.casefold():
        return True
    if not phone:
        return False
    try:
        return read_phone(state.restaurant, phone) != draft.phone
    except InvalidValue:
        return False


def agreed_to(state: CallState) -> tuple[object, ...]:
    """What the caller agrees to: these details, as a new booking or the move of one."""
    made = state.draft_booked
    return (made.confirmation_code if made else None, *state.booking.key())


async def reschedule(
    state: CallState,
    current: Reservation,
    *,
    day: date | None,
    at: time | None,
    party_size: int | None,
    notes: str | None,
) -> Reservation:
    """Change `current` (None: unchanged) after the caller agreed, and keep the call in step:
    the booking selected, the draft of a booking made in this call, the caller's app."""
    noted = current.other_info.get("notes")
    other_info = {**current.other_info, "notes": notes} if notes != noted else None
    async with refused(state, "Not changed", current, day):
        changed = await state.service.update(
            current.confirmation_code,
            reservation_date=day,
            reservation_time=at,
            party_size=party_size,
            other_info=other_info,
        )
    state.read_back = None
    state.selected_booking = changed
    state.made_here(changed)
    state.described[changed.confirmation_code] = moment()
    await state.announce("updated", changed)
    return changed


async def move_booked(context: RunContext_T, made: Reservation) -> str:
    """Move the booking made in this call to what the caller agreed to."""
    state, draft = context.userdata, context.userdata.booking
    context.disallow_interruptions()
    changed = await reschedule(
        state, made, day=draft.date, at=draft.time, party_size=draft.party_size, notes=draft.notes
    )
    state.expected_answer = "free_text"
    return (
        f"Changed, not booked again: the booking is now {describe_booking(changed)}. Its code "
        "stays the same. Ask if there is anything else."
    )
