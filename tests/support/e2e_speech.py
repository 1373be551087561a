"""Stand-ins for the real-speech end-to-end test (tests/e2e/test_real_speech.py).

SPEECH_MODELS_FACTORY=tests.support.e2e_speech:heard_booking, with STT_PROVIDER=local: the worker
hears the caller through the local Whisper (the product's own `agent/local_speech.py`), and the
stand-in language model passes what was recognized into the tools as it was written, so what is
booked is what the recognizer heard and the product's readers understood. Only the day and the
name are scripted. The agent's voice stays a tone: the caller does not need to understand it.
"""

from __future__ import annotations

import re

from agent.speech_models import SpeechModels, local_speech
from core.settings import Settings
from testkit.scripted_llm import Request, Rule, ScriptedLLM, Step, call, say
from testkit.standins import ToneTTS
from tests.support.e2e_models import AVAILABLE, BOOKED, booked, greeting, read_back

# What the caller says, in the Piper voice (the phone number in two groups, a pause between).
REQUEST = "A table for four people, please."
TIME = "At seven thirty in the evening."
FIRST_GROUP, SECOND_GROUP = "nine eight two zero", "seven two seven two"
YES = "Yes, that's right."
ASK_TIME = "What time would you like?"
ASK_PHONE = "And what's your phone number?"
ASK_AGAIN = "Sorry, could you say that again?"
READ_BACK_END = "Shall I book it?"


def _heard(request: Request) -> str:
    return request.trigger


def _transfer(request: Request) -> list[Step]:
    # The whole answer as the party size: the tools read "a table for four people" as 4.
    return [
        call(
            "transfer_to_reservation",
            party_size=_heard(request),
            date="next Saturday",
            name="Mei Ling",
        )
    ]


def _answer(request: Request) -> list[Step]:
    """The caller's answer goes into the tool for what the agent last asked."""
    asked = (request.texts("assistant") or [""])[-1]
    if ASK_TIME in asked:
        return [call("record_booking_details", time=_heard(request))]
    if ASK_PHONE in asked:
        return [call("record_booking_details", phone=_heard(request))]
    if READ_BACK_END in asked and re.match(r"^\s*yes\b", _heard(request), re.IGNORECASE):
        return [call("confirm_booking")]
    return [say(ASK_AGAIN)]


def _next_question(request: Request) -> list[Step]:
    if "Not understood" in request.trigger:
        return [say(ASK_AGAIN)]
    asked = " ".join(request.texts("assistant"))
    return [call("check_availability")] if ASK_PHONE in asked else [say(ASK_PHONE)]


def heard_booking(settings: Settings) -> SpeechModels:
    model = ScriptedLLM(
        [
            greeting(),
            Rule(agent="greeter", user=re.compile("."), then=_transfer),
            Rule(agent="reservation", prompt=re.compile("."), then=[say(ASK_TIME)]),
            Rule(after_tool="check_availability", tool_output=AVAILABLE, then=read_back),
            Rule(after_tool="record_booking_details", then=_next_question),
            Rule(after_tool="confirm_booking", tool_output=BOOKED, then=booked),
            Rule(user=re.compile("."), then=_answer),
            Rule(prompt=re.compile("."), then=[say("Is there anything else I can help with?")]),
        ]
    )
    return SpeechModels(stt=local_speech(settings)["stt"], llm=model, tts=ToneTTS())
