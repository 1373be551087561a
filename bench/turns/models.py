"""Stand-in models for bench.turns (SPEECH_MODELS_FACTORY=bench.turns.models:corpus_call).

Zero model time, like the end-to-end tests' stand-ins. The agent asks the corpus's questions
in order (the greeting asks the first), so the worker's turn taking hears "What's your phone
number?" and endpoints the answer as a phone number; each answer whose last words arrive is
followed by the next question, anything less (a turn cut off inside a pause) by "Mm-hm.".

The speech-to-text is an oracle that knows what the caller is saying: before each answer the
caller sends its file name and start time on the data topic `bench.turns`, and each segment
the VAD ends is transcribed as the words said by then (each word's end estimated within its
group, see `Utterance.said_by`). A VAD that splits a group, or merges two, gets the words a
real speech-to-text would return for that audio, so every variant is transcribed alike.
"""

from __future__ import annotations

import json
import os
import time

from livekit import rtc
from livekit.agents import LanguageCode, get_job_context, stt, utils
from livekit.agents.types import NOT_GIVEN, APIConnectOptions, NotGivenOr

from agent.speech_models import SpeechModels
from bench.turns.corpus import Utterance, load
from core.settings import Settings
from core.spoken.text import tidy
from testkit.scripted_llm import Request, Rule, ScriptedLLM, Step, say
from testkit.standins import ToneTTS

TOPIC = "bench.turns"
# Which answers a call gives, in order: file names, comma-separated (default: all of them).
FILES_ENV = "BENCH_TURNS_FILES"
# The caller's clock and ours are the same machine's; this much slack covers the transport
# and the caller's estimate of when its first frame left.
SLACK = 0.05


def corpus_order() -> list[Utterance]:
    corpus = {u.file: u for u in load()}
    chosen = os.environ.get(FILES_ENV)
    return [corpus[name] for name in chosen.split(",")] if chosen else list(corpus.values())


class OracleSTT(stt.STT[None]):
    """Transcribes each VAD segment as the words of the current answer said by its end."""

    def __init__(self, corpus: dict[str, Utterance], vad_silence: float) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self.corpus = corpus
        self.vad_silence = vad_silence
        self.current: tuple[Utterance, float] | None = None
        self.given = ""

    @property
    def model(self) -> str:
        return "oracle"

    @property
    def provider(self) -> str:
        return "bench"

    def hear_schedule(self, packet: rtc.DataPacket) -> None:
        if packet.topic == TOPIC:
            said = json.loads(packet.data)
            self.current, self.given = (self.corpus[said["file"]], float(said["start"])), ""

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions,
    ) -> stt.SpeechEvent:
        text = ""
        if self.current is not None:
            utterance, started = self.current
            # The segment ended when the VAD's silence began, as the caller's clock has it.
            said = utterance.said_by(time.time() - started - self.vad_silence + SLACK)
            text = said[len(self.given) :].strip()
            self.given = said
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=utils.shortuuid("oracle_"),
            alternatives=[stt.SpeechData(language=LanguageCode("en"), text=text, confidence=1.0)],
        )


def next_question(order: list[Utterance]) -> Rule:
    """After an answer's last words the next question; after less, a nod.

    Worked out from the conversation so far, not kept in a counter: livekit may ask the model
    early (preemptive generation) and throw that answer away.
    """

    def answer(request: Request) -> list[Step]:
        # An answer cut off comes as several turns: what counts is what they say together,
        # or the agent would stay on that question for the rest of the call.
        answered, moved, heard = 0, False, ""
        for text in request.texts("user"):
            heard = f"{heard} {text}"
            last = order[answered].groups[-1].text if answered < len(order) else None
            moved = last is not None and tidy(heard).endswith(tidy(last))
            if moved:
                answered, heard = answered + 1, ""
        if not moved:
            return [say("Mm-hm.")]
        if answered == len(order):
            return [say("Thank you, goodbye.")]
        return [say(order[answered].question)]

    return Rule(then=answer)


def corpus_call(settings: Settings) -> SpeechModels:
    order = corpus_order()
    oracle = OracleSTT({u.file: u for u in order}, settings.vad_min_silence_seconds)
    get_job_context().room.on("data_received", oracle.hear_schedule)
    model = ScriptedLLM(
        [Rule(agent="greeter", prompt="", then=[say(order[0].question)]), next_question(order)]
    )
    return SpeechModels(stt=oracle, llm=model, tts=ToneTTS())
