"""The stand-in models of the multi-node test's workers (tests/e2e/test_multi_node.py): the
scripted booking call, each call under a phone number of its own, so two callers racing for the
same last seats are two customers and neither is refused as a repeat booking."""

from __future__ import annotations

import random
import re

from agent.speech_models import SpeechModels
from core.settings import Settings
from testkit.scripted_llm import Request, Rule, ScriptedLLM, Step, call, say
from testkit.standins import ScriptedSTT, ToneTTS
from tests.support.e2e_models import (
    ANY,
    AVAILABLE,
    BOOKED,
    CONFIRM,
    booked,
    greeting,
    read_back,
    table_for_four,
)

# What the agent says when the seats went to someone else between the read-back and the yes.
TAKEN = "Sorry, that table has just gone."
# confirm_booking's answer then (agent/agents/reservation.py).
NOT_BOOKED = re.compile(r"^Not booked: .*Nearest times: (?!none)")
_DIGITS = "zero one two three four five six seven eight nine".split()


def _offer(request: Request) -> list[Step]:
    return [say(f"{TAKEN} {request.trigger}")]


def racing_call(settings: Settings) -> SpeechModels:
    """booking_call's two turns, under a random Singapore mobile number (one per job process:
    each call gets fresh models); a booking refused for want of seats is answered with the
    nearest times the tool offered."""
    # Singapore has no mobile numbers starting 99: one would be refused and asked for again.
    phone = "9" + random.choice("012345678") + "".join(random.choices("0123456789", k=6))
    spoken = " ".join(_DIGITS[int(d)] for d in phone)
    line = (
        "Hi, I'd like a table for four this Saturday at seven pm. My name is Mei Ling and my "
        f"number is {spoken}."
    )
    model = ScriptedLLM(
        [
            greeting(),
            table_for_four(phone=f"{phone[:4]} {phone[4:]}"),
            Rule(agent="reservation", prompt=ANY, then=[call("check_availability")]),
            Rule(after_tool="check_availability", tool_output=AVAILABLE, then=read_back),
            Rule(user="book it", then=[call("confirm_booking")]),
            Rule(after_tool="confirm_booking", tool_output=BOOKED, then=booked),
            Rule(after_tool="confirm_booking", tool_output=NOT_BOOKED, then=_offer),
            Rule(prompt=ANY, then=[say("Is there anything else I can help with?")]),
        ]
    )
    return SpeechModels(stt=ScriptedSTT([line, CONFIRM]), llm=model, tts=ToneTTS())
