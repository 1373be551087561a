"""Changing or cancelling the booking the caller has shown is theirs
(agent/agents/existing_bookings.py finds it): each only once the caller has heard what will be
done and answered (agent/call/read_back.py).

A change is read back with its new details: the first call quotes it, the call after the
caller's yes makes it. A cancellation needs the booking read back: the booking described when
it was found, if the caller has spoken since, or the quote this tool gives.
"""

from __future__ import annotations

from livekit.agents import ToolError, function_tool

from agent.agents import prompts
from agent.agents.existing_bookings import selected
from agent.agents.moves import reschedule
from agent.agents.phrasing import describe_booking, describe_change
from agent.agents.refusals import refused
from agent.call.read_back import ReadBack, answer, answered_since
from agent.call.state import RunContext_T, add_note


@function_tool
async def change_booking(
    context: RunContext_T,
    date: str | None = None,
    time: str | None = None,
    party_size: int | str | None = None,
    notes: str | None = None,
) -> str:
    """Change the booking found with find_booking. Call it as soon as the caller says what
    to change, passing only what changes: it tells you what to read back, and after the
    caller's yes you call it again with the same details to make the change.

    Args:
        date: the new day as said in English, or in any language as its weekday and
            YYYY-MM-DD ("Friday 2026-12-04").
        time: the new time as said, or HH:MM (24-hour).
        party_size: the new number of guests: a number, or as said.
        notes: an occasion, allergy or seating wish to add to those already noted.
    """
    state = context.userdata
    current = selected(state)
    details = state.read_details(
        on=current.reservation_date, date=date, time=time, party_size=party_size, notes=notes
    )
    if details.oversized_party:
        raise ToolError(prompts.oversized_party(state.restaurant))
    if details.unclear:
        raise ToolError(f"Not understood, ask again: {', '.join(details.unclear_details())}.")
    noted = current.other_info.get("notes")
    new_notes = add_note(noted, details.notes)
    what: tuple[object, ...] = ("change", current.confirmation_code, details.date)
    what += (details.time, details.party_size, new_notes)
    heard = answer(state.read_back, what, context.session.history)
    if heard != "answered":
        if heard == "not_quoted":
            state.read_back = ReadBack.of(what)
        state.expected_answer = "yes_no"
        after = describe_change(current, details.date, details.time, details.party_size)
        after += f", notes: {new_notes}" if new_notes else ""
        return (
            f"Not changed yet. Unless you just read it, read the change back: the booking "
            f"would be {after}. Ask the caller to confirm; after their yes, call "
            "change_booking again with the same details."
        )
    if context.speech_handle.interrupted:
        return "The caller interrupted; nothing was changed. Ask them to confirm again."
    context.disallow_interruptions()
    changed = await reschedule(
        state,
        current,
        day=details.date,
        at=details.time,
        party_size=details.party_size,
        notes=new_notes,
    )
    return (
        f"Changed. The booking is now: {describe_booking(changed)}. Ask if there is anything else."
    )


@function_tool
async def cancel_booking(context: RunContext_T) -> str:
    """Cancel the booking found with find_booking, once the caller has heard which booking
    it is and asked to cancel it. If they have not, it tells you what to read back first."""
    state = context.userdata
    current = selected(state)
    code = current.confirmation_code
    asked = ("cancel", code)
    quoted = state.read_back if state.read_back and state.read_back.what == asked else None
    since = quoted.at if quoted else state.described.get(code)
    if since is None or not answered_since(since, context.session.history):
        if quoted is None:
            state.read_back = ReadBack.of(asked)
        state.expected_answer = "yes_no"
        return (
            "Not cancelled yet. Read back the booking to cancel and ask the caller to "
            f"confirm: {describe_booking(current)}. After their yes, call cancel_booking again."
        )
    if context.speech_handle.interrupted:
        return "The caller interrupted; nothing was cancelled. Ask them to confirm again."
    context.disallow_interruptions()
    async with refused(state, "Not cancelled", current):
        cancelled = await state.service.cancel(current.confirmation_code)
    state.read_back = None
    state.selected_booking = None
    state.made_here(cancelled)
    await state.announce("cancelled", cancelled)
    return f"Cancelled: {describe_booking(cancelled)}. Ask if there is anything else."
