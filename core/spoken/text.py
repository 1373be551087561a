"""Text as speech-to-text writes it (or a person types it), tidied before values are read."""

from __future__ import annotations

from datetime import time


def tidy(raw: str) -> str:
    """Lower-case, collapse whitespace and drop the punctuation speech-to-text tacks on."""
    return " ".join(raw.lower().split()).strip(" .,!?;:")


def say_time(at: time) -> str:
    """A time of day as said aloud: "7 pm", "7:30 pm", "noon" (never 19:00)."""
    if at == time(12, 0):
        return "noon"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour} {suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d} {suffix}"
