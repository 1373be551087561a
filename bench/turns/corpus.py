"""The turn-taking corpus (tests/fixtures/audio/turns/corpus.json): answers with labelled pauses."""

from __future__ import annotations

import json
import wave
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from livekit import rtc

from agent.turns.endpointing import AnswerKind

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "audio" / "turns"
RATE = 16000
FRAME = RATE // 50  # 20 ms, as the callers' microphones send


@dataclass(frozen=True)
class Group:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Utterance:
    """One answer: its kind, the question it answers, its groups and pauses (seconds)."""

    file: str
    voice: str
    kind: AnswerKind
    question: str
    order: int
    groups: tuple[Group, ...]
    pauses: tuple[tuple[float, float], ...]
    end: float

    @cached_property
    def pcm(self) -> bytes:
        with wave.open(str(CORPUS / self.file)) as wav:
            assert (wav.getframerate(), wav.getnchannels()) == (RATE, 1)
            pcm: bytes = wav.readframes(wav.getnframes())
        return pcm

    def frames(self) -> list[rtc.AudioFrame]:
        """20 ms frames, the last one padded with silence."""
        step = FRAME * 2
        return [
            rtc.AudioFrame(self.pcm[i : i + step].ljust(step, b"\0"), RATE, 1, FRAME)
            for i in range(0, len(self.pcm), step)
        ]

    @property
    def transcript(self) -> str:
        return " ".join(group.text for group in self.groups)

    def said_by(self, moment: float) -> str:
        """The words said by `moment` (seconds into the file), as a speech-to-text would have
        them: each word's end estimated from its share of its group's letters."""
        words = []
        for group in self.groups:
            letters = len(group.text.replace(" ", ""))
            done = 0
            for word in group.text.split():
                done += len(word)
                if group.start + (group.end - group.start) * done / letters <= moment:
                    words.append(word)
        return " ".join(words)

    def pause_at(self, moment: float, slack: float = 0.0) -> int | None:
        """Which labelled pause `moment` (seconds into the file) falls in, if any."""
        for index, (start, end) in enumerate(self.pauses):
            if start - slack <= moment < end:
                return index
        return None


def load(kinds: set[str] | None = None, voices: set[str] | None = None) -> list[Utterance]:
    """The corpus in a call's order: every voice's answers, in the order they were asked."""
    document = json.loads((CORPUS / "corpus.json").read_text())
    found = [
        Utterance(
            file=u["file"],
            voice=u["voice"],
            kind=u["kind"],
            question=u["question"],
            order=u["order"],
            groups=tuple(Group(g["text"], g["start"], g["end"]) for g in u["segments"]),
            pauses=tuple((a, b) for a, b in u["pauses"]),
            end=u["end"],
        )
        for u in document["utterances"]
    ]
    return [
        u
        for u in found
        if (kinds is None or u.kind in kinds) and (voices is None or u.voice in voices)
    ]
