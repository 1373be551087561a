"""Phone calls through LiveKit SIP: who is calling, and what a phone line adds to a call.

A caller who phones is a SIP participant whose `sip.phoneNumber` attribute is their caller ID.
On such a line the booking's phone is pre-filled from it (the reservation agent confirms it
rather than asking), every agent can end the call politely, the reservation agent can take
digits from the keypad, and the escalation agent can put the caller through to staff. Browser
and app calls get none of this; a long silence ends either (agent/call/limits.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from livekit import rtc
from livekit.agents import AgentSession, llm
from livekit.agents.beta.tools import EndCallTool

from agent.call.state import CallState
from agent.phone.keypad import key_in_on_keypad
from agent.phone.transfer import staff_transfer_tool
from core.errors import InvalidValue
from core.restaurant import Restaurant
from core.spoken.phones import mask_phone, normalize_phone

logger = logging.getLogger("agent.phone.line")

# What carriers put in the From header when the caller withholds their number.
WITHHELD = {"", "anonymous", "unknown", "restricted", "private", "unavailable"}


@dataclass(frozen=True, slots=True)
class PhoneLine:
    """The SIP participant on the other end of a phone call."""

    identity: str
    # E.164, or None when withheld or not a number we can dial back.
    caller_number: str | None


def phone_line(participant: rtc.RemoteParticipant, restaurant: Restaurant) -> PhoneLine | None:
    """The phone line, when the caller is a SIP participant; None for browser and app calls."""
    if participant.kind != rtc.ParticipantKind.PARTICIPANT_KIND_SIP:
        return None
    raw = participant.attributes.get("sip.phoneNumber", "")
    number = caller_id(raw, restaurant.locale.phone_region)
    logger.info("phone call", extra={"caller": mask_phone(number), "withheld": number is None})
    return PhoneLine(identity=participant.identity, caller_number=number)


def caller_id(raw: str, region: str) -> str | None:
    """The caller's number from the From header's user part, in E.164; None when withheld
    or not a number (a SIP name such as "alice")."""
    if raw.strip().lower() in WITHHELD:
        return None
    try:
        return normalize_phone(raw, region)
    except InvalidValue:
        return None


async def attach_phone_line(session: AgentSession[CallState], line: PhoneLine) -> None:
    """Caller ID into the booking, and the phone-only tools."""
    state = session.userdata
    state.caller_number = line.caller_number
    if line.caller_number is not None and state.booking.phone is None:
        state.booking.phone = line.caller_number
    goodbye = f"Thank the caller for calling {state.restaurant.name} and say goodbye briefly."
    for agent in state.agents.values():
        hang_up = EndCallTool(end_instructions=goodbye, ignore_on_enter=True)
        extra: list[llm.Tool | llm.Toolset] = [hang_up]
        if agent.id == "reservation":
            extra.append(key_in_on_keypad)
        if agent.id == "escalation":
            extra.append(staff_transfer_tool(state, line.identity))
        await agent.update_tools([*agent.tools, *extra])
