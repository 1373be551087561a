"""The read-back as a state of the call, which only the caller's answer moves.

A tool that would book, change or cancel first gives the model what to read back (a quote).
It acts only once the caller has heard that quote and answered: the conversation since the
quote holds the agent's words and, after them, the caller's. What the caller answered is the
model's to judge; that they were asked, and had the chance to answer, is checked here, so a
model that books on "just book it" before saying anything back cannot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from livekit.agents import llm

Answer = Literal["answered", "not_quoted", "not_answered"]


@dataclass(frozen=True)
class ReadBack:
    """What the caller is asked to agree to, and when the model was given it to read."""

    what: tuple[object, ...]
    at: float

    @classmethod
    def of(cls, what: tuple[object, ...]) -> ReadBack:
        return cls(what, moment())


def moment() -> float:
    """Now, on the clock livekit stamps the conversation's messages with."""
    return time.time()


def answer(
    read_back: ReadBack | None, what: tuple[object, ...], history: llm.ChatContext
) -> Answer:
    """Whether the caller answered the read-back of exactly `what`."""
    if read_back is None or read_back.what != what:
        return "not_quoted"
    return "answered" if answered_since(read_back.at, history) else "not_answered"


def answered_since(since: float, history: llm.ChatContext) -> bool:
    """Whether the agent spoke after `since` and the caller spoke after that."""
    said = [
        item
        for item in history.items
        if isinstance(item, llm.ChatMessage) and item.created_at >= since
    ]
    spoke = [m.created_at for m in said if m.role == "assistant"]
    return bool(spoke) and any(m.role == "user" and m.created_at > min(spoke) for m in said)
