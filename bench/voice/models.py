"""Stand-in models for the voice benchmark (SPEECH_MODELS_FACTORY=bench.voice.models:...).

Zero model time, like the end-to-end tests' stand-ins, but for any number of identical turns:
every speech segment Silero VAD ends is transcribed as the same short sentence, and every user
turn is answered with the same short spoken reply, with no tool calls and no handoffs. What is
left between the caller's last word and the reply's first sound is the pipeline itself:
WebRTC both ways, Opus, resampling, Silero VAD, turn handling and the agent's scheduling.
"""

from __future__ import annotations

import re

from agent.speech_models import SpeechModels, local_speech
from core.settings import Settings
from testkit.scripted_llm import Rule, ScriptedLLM, say
from testkit.standins import ScriptedSTT, ToneTTS

GREETING = "Thank you for calling. How can I help?"
UTTERANCE = "Yes please, book it."  # what tests/fixtures/audio/confirm.wav says
REPLY = "Of course."
# More segments than any benchmark call has turns; an exhausted script answers "" (no turn).
SCRIPT_LENGTH = 1000


def short_replies(settings: Settings) -> SpeechModels:
    """Greets, then answers every caller turn with one short sentence (a 0.3 s tone)."""
    model = ScriptedLLM(
        [
            Rule(agent="greeter", prompt=re.compile("."), then=[say(GREETING)]),
            Rule(then=[say(REPLY)]),
        ]
    )
    return SpeechModels(stt=ScriptedSTT([UTTERANCE] * SCRIPT_LENGTH), llm=model, tts=ToneTTS())


def local_replies(settings: Settings) -> SpeechModels:
    """`short_replies` heard by the local Whisper and spoken by the local Piper voice.

    For the worker started with STT_PROVIDER=local TTS_PROVIDER=local SPEECH_MODE=pipeline
    (`--models local`): the delay then includes recognizing the caller's segment and
    synthesizing the reply, and the CPU is what local speech costs per call.
    """
    models = short_replies(settings)
    models.update(local_speech(settings))
    return models
