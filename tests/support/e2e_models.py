"""The stand-in models the end-to-end worker runs with (SPEECH_MODELS_FACTORY points here).

Everything else in those tests is real: livekit-server, WebRTC, Opus, Silero VAD, the agents and
PostgreSQL. The caller's WAV fixtures say what these transcripts say; the stand-in STT only
answers when Silero VAD has ended a speech segment.
"""

from __future__ import annotations

from agent.speech import SpeechModels
from core.settings import Settings
from tests.support.scripted_llm import Rule, ScriptedLLM, call, say
from tests.support.standins import ScriptedSTT, ToneTTS

BOOKING = (
    "Hi, I'd like a table for four this Saturday at seven pm. My name is Mei Ling and my "
    "number is nine eight two zero, seven two seven two."
)
CONFIRM = "Yes please, book it."


def booking_call(settings: Settings) -> SpeechModels:
    """One caller books a table in two utterances; each job process gets fresh models."""
    model = ScriptedLLM(
        [
            Rule(prompt="Greet the caller", then=[say("Thank you for calling. How can I help?")]),
            Rule(
                user="table for four",
                then=[
                    call(
                        "transfer_to_reservation",
                        party_size="four",
                        # "next Saturday" keeps the test away from a Saturday evening's edge.
                        date="next Saturday",
                        time="seven pm",
                        name="Mei Ling",
                        phone="9820 7272",
                    )
                ],
            ),
            Rule(prompt="what you already understood", then=[call("check_availability")]),
            Rule(user="book it", then=[call("confirm_booking")]),
            Rule(prompt=".", then=[say("Is there anything else I can help with?")]),
        ]
    )
    return SpeechModels(stt=ScriptedSTT([BOOKING, CONFIRM]), llm=model, tts=ToneTTS())
