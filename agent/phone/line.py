"""Phone calls through LiveKit SIP: who is calling, and what a phone line adds to a call.

A caller who phones is a SIP participant whose `sip.phoneNumber` attribute is their caller ID.
Caller ID is a hint: the booking's phone is pre-filled from it (the reservation agent confirms
it rather than asking) and bookings under it can be found, but it proves nothing unless the
carrier attested it (agent/phone/attestation.py). Every agent can end the call politely, the
reservation agent can take digits from the keypad, and the escalation agent can put the caller
through to staff. Browser and app calls get none of this; a long silence ends either
(agent/call/limits.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from livekit import rtc
from livekit.agents import AgentSession, llm
from livekit.agents.beta.tools import EndCallTool

from agent.agents import prompts
from agent.call.state import CallState
from agent.phone.attestation import ATTESTATION_ATTRIBUTE, fully_attested
from agent.phone.keypad import key_in_on_keypad
from agent.phone.transfer import staff_transfer_tool
from core.errors import InvalidValue
from core.restaurant import Restaurant
from core.settings import Settings
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
    # The carrier attested caller_number and TRUST_CALLER_ID=attested trusts that.
    attested: bool = False


def phone_line(
    participant: rtc.RemoteParticipant, restaurant: Restaurant, settings: Settings
) -> PhoneLine | None:
    """The phone line, when the caller is a SIP participant; None for browser and app calls."""
    if participant.kind != rtc.ParticipantKind.PARTICIPANT_KIND_SIP:
        return None
    line = read_line(participant.identity, participant.attributes, restaurant, settings)
    logger.info(
        "phone call",
        extra={
            "caller": mask_phone(line.caller_number),
            "withheld": line.caller_number is None,
            "attested": line.attested,
        },
    )
    return line


def read_line(
    identity: str, attributes: Mapping[str, str], restaurant: Restaurant, settings: Settings
) -> PhoneLine:
    """A SIP participant's line from the attributes livekit-sip gave it."""
    region = restaurant.locale.phone_region
    number = caller_id(attributes.get("sip.phoneNumber", ""), region)
    header = attributes.get(ATTESTATION_ATTRIBUTE)
    attested = (
        settings.trust_caller_id == "attested"
        and number is not None
        and header is not None
        and fully_attested(header, number, lambda raw: caller_id(raw, region))
    )
    return PhoneLine(identity=identity, caller_number=number, attested=attested)


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
    state.caller_attested = line.attested
    if line.caller_number is not None and state.booking.phone is None:
        state.booking.phone = line.caller_number
    goodbye = (
        f"Thank the caller for calling {state.restaurant.name} and say goodbye briefly. "
        + prompts.callers_language(state.restaurant)
    )
    for agent in state.agents.values():
        hang_up = EndCallTool(end_instructions=goodbye, ignore_on_enter=True)
        extra: list[llm.Tool | llm.Toolset] = [hang_up]
        if agent.id == "reservation":
            extra.append(key_in_on_keypad)
        if agent.id == "escalation":
            extra.append(staff_transfer_tool(state, line.identity))
        await agent.update_tools([*agent.tools, *extra])
