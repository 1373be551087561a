"""Stand-ins for the real-speech end-to-end tests (tests/e2e/test_real_speech.py, over WebRTC,
and tests/e2e/test_real_speech_phone.py, over SIP).

SPEECH_MODELS_FACTORY=tests.support.e2e_speech:heard_booking, with REAL_SPEECH's settings: the
worker hears the caller through the local Whisper (the product's own `agent/local_speech.py`),
and the stand-in language model passes what was recognized into the tools as it was written, so
what is booked is what the recognizer heard and the product's readers understood. Only the day
and the name are scripted. The agent speaks with the local Piper voice where TTS_PROVIDER=local
(the phone test hears it), otherwise in a tone (the WebRTC caller does not need to understand it).
"""

from __future__ import annotations

import re

from agent.speech_models import SpeechModels, local_speech
from core.settings import Settings
from testkit.scripted_llm import Request, Rule, ScriptedLLM, Step, call, say
from testkit.stack import Process
from testkit.standins import ToneTTS
from tests.support.e2e_models import AVAILABLE, BOOKED, booked, greeting, read_back

# What the caller says, in the Piper voice (the phone number in two groups, a pause between).
REQUEST = "A table for four people, please."
TIME = "At seven thirty in the evening."
FIRST_GROUP, SECOND_GROUP = "nine eight two zero", "seven two seven two"
YES = "Yes, that's right."
ASK_TIME = "What time would you like?"
ASK_PHONE = "And what's your phone number?"
# On a phone line with caller ID the agent offers that number instead (agent/agents/prompts.py).
OFFER_LINE = "Shall I put the booking under the number you're calling from, ending {}, or another?"
_LINE_ENDING = re.compile(r"calling from, ending (\d{4})")
ASK_AGAIN = "Sorry, could you say that again?"
READ_BACK_END = "Shall I book it?"
BOOKED_START = "You're booked."
# The worker's settings for these tests. The delays count from the end of speech, and on a busy
# machine recognizing a segment can take longer than a caller's pause: generous ceilings keep a
# number read in groups one turn there too. Which delay a transcript gets is still the turn
# rules' choice.
REAL_SPEECH = {
    "SPEECH_MODE": "pipeline",
    "STT_PROVIDER": "local",
    "TURN_PATIENT_SECONDS": "3",
    "TURN_HOLD_SECONDS": "6",
}


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
    if ASK_PHONE in asked or "calling from" in asked:
        return [call("record_booking_details", phone=_heard(request))]
    if READ_BACK_END in asked and re.match(r"^\s*yes\b", _heard(request), re.IGNORECASE):
        return [call("confirm_booking")]
    return [say(ASK_AGAIN)]


def _next_question(request: Request) -> list[Step]:
    if "Not understood" in request.trigger:
        return [say(ASK_AGAIN)]
    asked = " ".join(request.texts("assistant"))
    if ASK_PHONE in asked or "calling from" in asked:
        return [call("check_availability")]
    # With the caller ID the agent offers the number the call comes from, as it is told to.
    line = _LINE_ENDING.search("\n".join(request.texts("system")))
    return [say(OFFER_LINE.format(line[1]) if line else ASK_PHONE)]


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
    local = local_speech(settings)
    return SpeechModels(stt=local["stt"], llm=model, tts=local.get("tts") or ToneTTS())


def taken_turns(worker: Process, session: str) -> list[dict[str, object]]:
    """The worker's "turn taken" records of one call: what was expected, why each ended."""
    return [
        r
        for r in worker.records()
        if r.get("message") == "turn taken" and r.get("session") == session
    ]
