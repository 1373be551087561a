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
from agent.call.state import CallState, RunContext_T

logger = logging.getLogger("agent.phone.keypad")

KeyedIn = Literal["phone number", "party size"]


def typed_digits(region: str) -> int:
    """How many digits a caller of this country types for their own mobile number."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return 10
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    return len(re.sub(r"\D", "", national))


def keypad_task(
    state: CallState, what: KeyedIn, count: int, conversation: llm.ChatContext
) -> GetDtmfTask:
    """livekit's keypad task, with the call so far (so it hears which language the caller
    speaks) and told to answer in it."""
    return GetDtmfTask(
        num_digits=count,
        dtmf_stop_event=DtmfEvent.POUND,
        chat_ctx=conversation.copy(exclude_function_call=True, exclude_instructions=True),
        extra_instructions=(
            f"Ask the caller to type their {what} on the keypad ({count} digits) and then press "
            f"the hash key. {prompts.callers_language(state.restaurant)}"
        ),
    )


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
        result = await keypad_task(state, what, count, context.session.current_agent.chat_ctx)
    except ToolError as exc:
        logger.info("keypad entry incomplete", extra={"session": state.session_id})
        raise ToolError(f"The keypad entry was incomplete. Ask for the {what} again.") from exc
    keyed = result.user_input.replace(" ", "")
    if what == "phone number":
        details = state.read_details(phone=keyed)
    else:
        details = state.read_details(party_size=keyed)
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
