"""Stand-ins for the turn-taking end-to-end test (tests/e2e/test_turn_taking.py).

SPEECH_MODELS_FACTORY=tests.support.e2e_turns:number_in_groups. The caller asks for a table,
reads the phone number the agent asks for in two groups with 0.8 s between them, and says yes
to the read-back; the transcripts are what the corpus files say (tests/fixtures/audio/turns/).
The scripted STT answers one VAD segment at a time, so the number arrives as two transcripts:
only endpointing decides whether they make one caller turn or two.
"""

from __future__ import annotations

import re

from agent.speech_models import SpeechModels
from core.settings import Settings
from testkit.scripted_llm import Rule, ScriptedLLM, call, say
from testkit.standins import ScriptedSTT, ToneTTS
from tests.support.e2e_models import (
    ANY,
    AVAILABLE,
    BOOKED,
    booked,
    greeting,
    read_back,
    table_for_four,
)

REQUEST = "A table for four next Saturday at seven pm please, for Mei Ling"  # gb-free-2.wav
FIRST_GROUP, SECOND_GROUP = "nine eight two zero", "seven two seven two"  # sc-phone-1.wav
YES = "yes"  # gb-yes-1.wav
ASK_PHONE = "Thank you, Mei Ling. What's your phone number?"
ONLY_PART = "Sorry, I only caught part of that number."


def number_in_groups(settings: Settings) -> SpeechModels:
    model = ScriptedLLM(
        [
            greeting(),
            table_for_four(),
            Rule(agent="reservation", prompt=ANY, then=[say(ASK_PHONE)]),
            # The whole number as one turn: record it, check the table, read it back.
            Rule(
                user=f"{FIRST_GROUP} {SECOND_GROUP}",
                then=[call("record_booking_details", phone=f"{FIRST_GROUP} {SECOND_GROUP}")],
            ),
            # Before the next rule: the read-back's request still ends with the recording.
            Rule(after_tool="check_availability", tool_output=AVAILABLE, then=read_back),
            Rule(after_tool="record_booking_details", then=[call("check_availability")]),
            Rule(user=re.compile(r"^yes\b", re.IGNORECASE), then=[call("confirm_booking")]),
            Rule(after_tool="confirm_booking", tool_output=BOOKED, then=booked),
            # Half a number committed as a turn of its own: what the test must never hear.
            Rule(user=ANY, then=[say(ONLY_PART)]),
            Rule(prompt=ANY, then=[say("Is there anything else I can help with?")]),
        ]
    )
    stt = ScriptedSTT([REQUEST, FIRST_GROUP, SECOND_GROUP, YES])
    return SpeechModels(stt=stt, llm=model, tts=ToneTTS())
