"""A booking made in this call, changed by the caller before they hang up ("actually,
Sunday instead"): whichever tools the model takes, the booking moves and no second one is made.

The draft a booking was made from stays tied to it (`CallState.draft_booked`): details given
after it change the draft, and confirming the draft then moves that booking. A second table
is only made when the model says the caller wants one (record_booking_details'
`separate_booking`), or for another name or number. The booking's own tools (change_booking)
keep the draft in step (`CallState.made_here`).
"""

from __future__ import annotations

from agent.agents.phrasing import describe_booking
from agent.agents.refusals import refused
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


async def move_booked(context: RunContext_T, made: Reservation) -> str:
    """Move the booking made in this call to what the caller agreed to."""
    state, draft = context.userdata, context.userdata.booking
    context.disallow_interruptions()
    notes = {**made.other_info, "notes": draft.notes} if draft.notes else None
    async with refused(state, "Not changed", made, draft.date):
        changed = await state.service.update(
            made.confirmation_code,
            reservation_date=draft.date,
            reservation_time=draft.time,
            party_size=draft.party_size,
            other_info=notes,
        )
    state.booked_as(changed)
    state.selected_booking = changed
    await state.announce("updated", changed)
    state.expected_answer = "free_text"
    return (
        f"Changed, not booked again: the booking is now {describe_booking(changed)}. Its code "
        "stays the same. Ask if there is anything else."
    )
