"""Failed proofs across calls: each is recorded against the booking tried
(core/services/proofs.py), and once a booking has had too many, self-service for its number
stops and callers are offered a callback instead."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from livekit.agents import ToolError

from agent.agents import prompts
from agent.call.state import CallState
from core.errors import DatabaseUnavailable
from core.models import Reservation

logger = logging.getLogger(__name__)

LOCKED = (
    "A booking under that number has had too many failed checks recently, so no booking under "
    "it can be looked up, changed or cancelled by phone for now. Say only that, nothing about "
    "any booking, and offer to take a message for our team (transfer_to_escalation): they will "
    "call back the number on the booking."
)


async def ensure_not_locked(state: CallState, phone_number: str | None) -> None:
    """Refuse self-service for a number whose bookings have had too many failed proofs. A call
    from that very number, attested by the carrier, is its owner's and is served."""
    if phone_number is None or phone_number == state.attested_number:
        return
    try:
        locked = await state.proofs.locked(phone_number)
    except DatabaseUnavailable as exc:
        raise ToolError(prompts.database_down(state.restaurant)) from exc
    if locked:
        logger.info("booking self-service locked", extra={"session": state.session_id})
        raise ToolError(LOCKED)


async def record_failed_proofs(state: CallState, tried: Iterable[Reservation]) -> None:
    """One failed proof against each booking tried that the caller has not shown is theirs."""
    try:
        await state.proofs.record(r for r in tried if not state.may_know(r))
    except DatabaseUnavailable as exc:
        raise ToolError(prompts.database_down(state.restaurant)) from exc
