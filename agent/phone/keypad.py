"""Digits from the phone's keypad (RFC 4733 DTMF), with livekit's own `GetDtmfTask`."""

from __future__ import annotations

import logging
import re
from typing import Literal

import phonenumbers
from livekit.agents import ToolError, llm
from livekit.agents.beta.workflows import GetDtmfTask
from livekit.agents.beta.workflows.utils import DtmfEvent

from agent.agents import prompts
from agent.call.state import RunContext_T

logger = logging.getLogger("agent.phone.keypad")

KeyedIn = Literal["phone number", "party size"]


def typed_digits(region: str) -> int:
    """How many digits a caller of this country types for their own mobile number."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return 10
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    return len(re.sub(r"\D", "", national))


@llm.function_tool
async def key_in_on_keypad(context: RunContext_T, what: KeyedIn) -> str:
    """Let the caller type their phone number or party size on their phone's keypad.
    Offer it when a spoken number was not understood twice, or when the caller would
    rather type it; then call this.

    Args:
        what: what the caller will type.
    """
    # The reservation agent's, on phone calls only (agent/phone/line.py gives it).
    state = context.userdata
    # GetDtmfTask wants an exact count; a party size on the keypad is one digit (larger
    # parties say it, and most of those go to staff anyway).
    count = typed_digits(state.restaurant.locale.phone_region) if what == "phone number" else 1
    logger.info("keypad entry started", extra={"session": state.session_id, "what": what})
    try:
        result = await GetDtmfTask(
            num_digits=count,
            dtmf_stop_event=DtmfEvent.POUND,
            extra_instructions=(
                f"Ask the caller to type their {what} on the keypad ({count} digits) and "
                "then press the hash key."
            ),
        )
    except ToolError as exc:
        logger.info("keypad entry incomplete", extra={"session": state.session_id})
        raise ToolError(f"The keypad entry was incomplete. Ask for the {what} again.") from exc
    keyed = result.user_input.replace(" ", "")
    said = {"phone": keyed} if what == "phone number" else {"party_size": keyed}
    details = state.read_details(**said)
    state.take(details)
    # The digits may be a phone number: only their count goes to the log.
    logger.info(
        "keypad entry",
        extra={
            "session": state.session_id,
            "what": what,
            "digits": len(keyed),
            "understood": not details.unclear,
        },
    )
    if details.unclear:
        raise ToolError(f"The {what} keyed in is not valid. Ask for it again.")
    known = ", ".join(state.booking.known(state.caller_number))
    missing = state.booking.missing()
    return f"Keyed in. Known: {known}. " + (
        f"Still needed: {', '.join(missing)}." if missing else prompts.CHECK_NEXT
    )
