"""What the model is told when the database refuses a change: one mapping for changing and
cancelling a booking, and, for a new one too, the refusal that must not give away another
person's booking day.

"This phone number already has a booking on that day" tells whoever asked which day the number's
owner is coming. The model hears why only when the caller has shown that booking is theirs;
otherwise nothing about it, and the refusal counts as a failed proof against the booking
(agent/agents/proofs.py). Staff, through the API, get the specific text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from livekit.agents import ToolError

from agent.agents import prompts
from agent.agents.phrasing import say_when
from agent.agents.proofs import record_failed_proofs
from agent.call.state import CallState
from core.errors import AlreadyBooked, BookingRejected, DatabaseUnavailable, ReservationNotFound
from core.models import Reservation


@asynccontextmanager
async def refused(
    state: CallState, outcome: str, current: Reservation, new_date: date | None = None
) -> AsyncIterator[None]:
    """A change of `current` the database refused, as a ToolError the model can tell."""
    try:
        yield
    except BookingRejected as exc:
        options = ", ".join(say_when(a) for a in exc.alternatives)
        raise ToolError(f"{outcome}: {exc.message} Nearest times: {options or 'none'}.") from exc
    except AlreadyBooked as exc:
        assert current.phone_number is not None  # a booking still to come has its number
        day = new_date or current.reservation_date
        refusal = await already_booked(
            state, exc, current.phone_number, day, outcome=outcome, moving=current
        )
        raise ToolError(refusal) from exc
    except ReservationNotFound as exc:
        raise ToolError(f"{outcome}: {exc.message}") from exc
    except DatabaseUnavailable as exc:
        raise ToolError(prompts.database_down(state.restaurant)) from exc


async def already_booked(
    state: CallState,
    refusal: AlreadyBooked,
    phone_number: str,
    day: date,
    *,
    outcome: str,
    moving: Reservation | None = None,
) -> str:
    """What the model may say when `phone_number` already holds a booking on `day` (besides
    `moving`): why, only to a caller who has shown that booking is theirs."""
    try:
        upcoming = await state.service.upcoming_by_phone(phone_number)
    except DatabaseUnavailable:
        upcoming = []
    held = [
        r for r in upcoming if r.reservation_date == day and (moving is None or r.id != moving.id)
    ]
    if held and all(state.may_know(r) for r in held):
        return f"{outcome}: {refusal.message} Offer to change that booking instead."
    await record_failed_proofs(state, held)
    return (
        f"{outcome}: that cannot be booked under that phone number on that day. Do not guess "
        "why, and say nothing about any other booking; offer another day or another number."
    )
