"""What the agent just asked for, and how long a pause may be before the caller's answer ends.

A generic end-of-turn rule cannot tell "nine eight two zero" (half of a Singapore number)
from "yes" (a whole answer); the agent can, because it knows what it asked. So every agent
turn that asks for a value declares the kind of answer it expects, and the caller's next turn
is endpointed for that kind (`agent/turns/detection.py` applies it to the session):

- **patient** for phone numbers, names, dates and times: people read numbers out in groups and
  hesitate before a name or a day, and a pause there is not the end;
- **quick** for yes/no: "yes" after "shall I book it?" is the whole answer;
- **default** for anything else, and for party sizes (short, but "we are ... six" happens);
- **hold** where a transcript shows the answer is unfinished (too few digits for this
  country's numbers, a last word such as "on", "at", "is" or "um"); a complete value (a whole
  phone number, a time with its minutes or am/pm, a party size, a plain yes or no) ends the
  turn at the quick delay, and an hour alone ("at eight") at the default one.

The delays are settings (`TURN_*_SECONDS`); their defaults come from `bench.turns` on the
corpus in `tests/fixtures/audio/turns/` (figures in bench/README.md). Each delay counts from
the caller's last speech as the VAD dates it, and the VAD's own silence
(`VAD_MIN_SILENCE_SECONDS`) is the floor of all of them: a turn never ends before the VAD says
speech stopped, and speech that resumes inside the wait cancels the pending end.

How the kind is declared, in this order:

1. **The agent's own words.** `asked_for` reads the last question the agent spoke ("What's your
   phone number?" is phone, "Shall I book it?" yes/no). This is what the caller actually answers,
   whichever model (pipeline or OpenAI Realtime, whose replies come with a transcript) worded
   it, and whether or not a tool ran. The patterns are English.
2. **The tool result that told the agent what to ask** (`expect_detail`, `expect_yes_no`, on
   `CallState.expected_answer`): `record_booking_details` saying "Still needed: phone number",
   `check_availability` saying "read this back and ask the caller to confirm". Tools run in
   our process in every mode, so this also covers questions asked in another language.
3. Otherwise free text.

A separate tool for the model to declare the kind was not chosen: it would cost a model round
trip per question, and models forget such bookkeeping calls; a marker in the spoken text would
be read aloud by speech-to-speech models.

The transcript rules need the caller's words before the turn ends: the pipeline mode has them
(its speech-to-text returns each VAD segment at once). OpenAI Realtime transcribes a turn
only after it is committed, so in realtime mode the kind alone decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Literal

from core.settings import Settings
from core.spoken.entities import (
    InvalidPartySize,
    InvalidTime,
    ServiceSpans,
    resolve_party_size,
    resolve_time,
)
from core.spoken.numbers import spoken_number
from core.spoken.phones import InvalidPhone, is_partial_phone, normalize_phone
from core.spoken.text import tidy

AnswerKind = Literal["phone", "name", "datetime", "party_size", "yes_no", "free_text"]
Patience = Literal["quick", "default", "patient", "hold"]

PATIENCE: dict[AnswerKind, Patience] = {
    "phone": "patient",
    "name": "patient",
    "datetime": "patient",
    "party_size": "default",
    "yes_no": "quick",
    "free_text": "default",
}

# The booking details as CallState's REQUIRED labels name them.
_DETAIL_KINDS: dict[str, AnswerKind] = {
    "name": "name",
    "phone number": "phone",
    "date": "datetime",
    "time": "datetime",
    "party size": "party_size",
}


@dataclass(frozen=True)
class TurnDelays:
    """Seconds of silence after the caller's last speech that end their turn, by patience."""

    quick: float
    default: float
    patient: float
    hold: float

    @classmethod
    def from_settings(cls, settings: Settings) -> TurnDelays:
        return cls(
            quick=settings.turn_quick_seconds,
            default=settings.turn_default_seconds,
            patient=settings.turn_patient_seconds,
            hold=settings.turn_hold_seconds,
        )

    def of(self, patience: Patience) -> float:
        delay: float = getattr(self, patience)
        return delay


@dataclass(frozen=True)
class Wait:
    """How long to wait for more, and why (a code for the logs: never what was said)."""

    patience: Patience
    reason: str


def kind_of_detail(label: str) -> AnswerKind:
    """The kind of answer a missing booking detail ("phone number") asks for."""
    return _DETAIL_KINDS.get(label, "free_text")


# --- what the agent asked --------------------------------------------------------------------

# Tried in this order on the agent's last question; the first kind with a match wins, except
# that a question asking for several values gets the most patient of them.
_QUESTIONS: list[tuple[AnswerKind, re.Pattern[str]]] = [
    ("free_text", re.compile(r"\banything else\b|\bhow can i help\b|\bwhat can i do\b")),
    (
        "party_size",
        re.compile(r"\bhow many\b|\bparty size\b|\bnumber of (?:people|guests)\b|\bhow big\b"),
    ),
    ("phone", re.compile(r"\b(?:phone|mobile|contact|cell)\b|\bnumber\b(?! of)")),
    ("name", re.compile(r"\bname\b|\bspell\b|\bwho (?:is|should)\b.*\bfor\b")),
    (
        "datetime",
        re.compile(
            r"\bwhen\b|\bwhat time\b|\bwhich (?:day|date|time)\b|\bwhat (?:day|date)\b"
            r"|\b(?:date|time|day)\b"
        ),
    ),  # fmt: skip
    (
        "yes_no",
        re.compile(
            r"^(?:\w+ )?(?:shall|should|would|will|can|could|do|does|did|is|are|was|were|have|"
            r"has|may|am)\b|\bright\b$|\bokay\b$|\bcorrect\b$"
        ),
    ),
]
_ORDER_OF_PATIENCE: tuple[Patience, ...] = ("hold", "patient", "default", "quick")


def asked_for(spoken: str) -> AnswerKind | None:
    """The kind of answer the agent's words ask for, from their last question; None if none."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", spoken.strip()) if s]
    questions = [s for s in sentences if s.endswith("?")]
    if not questions:
        return None
    question = tidy(questions[-1])
    found = [kind for kind, pattern in _QUESTIONS if pattern.search(question)]
    if not found or found[0] == "free_text":
        return "free_text" if found else None
    values = [kind for kind in found if kind != "yes_no"] or found
    return min(values, key=lambda kind: _ORDER_OF_PATIENCE.index(PATIENCE[kind]))


# --- what the caller has said so far ---------------------------------------------------------

# A last word that promises more: "a table for four on", "at um", "my name is".
_UNFINISHED = frozenset(
    "and or but on at for to of from by in the a an is are am was my our your it's its "
    "under um uh er erm hmm mm uhm with about around like so then plus maybe double triple "
    "before after between past".split()
)
_YES_NO = re.compile(
    r"^(?:yes|yeah|yep|yup|sure|no|nope|nah|correct|right|that's right|that's correct|"
    r"ok|okay|please do|go ahead|book it)\b"
)
# Any hour of the day is a time here: only whether one was said matters, not when we open.
_ANY_HOUR: ServiceSpans = ((time(0), time(23, 59)),)
_LONGEST_TIME = 5  # words: "a quarter to eight pm"
_BEFORE_TIME = frozenset({"at", "around", "about"})
_FILLERS = frozenset("um uh er erm uhm hmm mm".split())
_PARTY_AT_END = re.compile(r"\b(?:people|persons|guests|pax|of us|adults)$")


def wait_for(kind: AnswerKind, heard: str | None, *, region: str) -> Wait:
    """How patient to be for the caller's answer to a question of `kind`.

    Args:
        kind: What the agent asked for.
        heard: What the caller has said so far in this turn (final transcripts joined), or
            None where no transcript comes before the turn ends (realtime mode).
        region: The restaurant's phone region, for how many digits a number has.
    """
    text = tidy(heard or "")
    if not text:
        return Wait(PATIENCE[kind], f"asked_{kind}")
    last = text.split()[-1]
    if last in _UNFINISHED:
        return Wait("hold", "trailing_word")
    if kind == "phone":
        if is_partial_phone(text, region):
            return Wait("hold", "partial_phone")
        if is_phone(text, region):
            return Wait("quick", "whole_phone")
    elif kind == "yes_no":
        # Quick only for a yes or a no: "actually, could we make it eight" may go on.
        if not _YES_NO.match(text):
            return Wait("default", "not_yes_or_no")
        return Wait("quick", "yes_or_no")
    elif kind == "datetime" and (said := time_at_end(text)) is not None:
        # An hour alone may go on ("at eight | pm" was split so on a loaded machine in
        # bench.turns; "at eight | thirty"), and a cut there books the wrong time.
        return Wait("quick", "time_said") if said == "whole" else Wait("default", "hour_said")
    elif kind == "party_size" and (
        spoken_number(last) is not None or _PARTY_AT_END.search(text) or _is_party(text)
    ):
        return Wait("quick", "party_said")
    return Wait(PATIENCE[kind], f"asked_{kind}")


def time_at_end(text: str) -> Literal["whole", "hour"] | None:
    """Whether tidied `text` ends with a time of day, read as the booking tools read times.

    "whole" with its minutes or am/pm ("half past seven", "7:30", "eight pm", "noon"),
    "hour" for an hour alone ("tomorrow at eight", "at um 8"); None if it ends with no time
    ("next Friday", "at half", which is the start of "at half past seven", or "a table for
    four", where a number alone is no time).
    """
    words = [word for word in text.split() if word not in _FILLERS]
    for count in range(min(len(words), _LONGEST_TIME), 0, -1):
        tail = words[-count:]
        try:
            resolve_time(" ".join(tail), _ANY_HOUR)
        except InvalidTime:
            continue
        alone = len(tail) == 1 or (len(tail) == 2 and tail[0] in _BEFORE_TIME)
        if not (alone and _is_hour(tail[-1])):
            return "whole"
        # A number alone is a time where it is said as one: "at eight", or the whole answer.
        return "hour" if len(tail) == 2 or len(words) == 1 else None
    return None


def _is_hour(word: str) -> bool:
    """An hour alone: "8" or "eight", not "1930" (a 24-hour time with its minutes) or "noon"."""
    return len(word) <= 2 if word.isdigit() else spoken_number(word) is not None


def _is_party(text: str) -> bool:
    """Whether `text` is a whole party size as the booking tools read one ("just me")."""
    try:
        resolve_party_size(text)
    except InvalidPartySize:
        return False
    return True


def is_phone(text: str, region: str) -> bool:
    """Whether `text` is a whole phone number."""
    try:
        normalize_phone(text, region)
    except InvalidPhone:
        return False
    return True
