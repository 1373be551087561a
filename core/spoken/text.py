"""Text as speech-to-text writes it (or a person types it), tidied before values are read."""

from __future__ import annotations


def tidy(raw: str) -> str:
    """Lower-case, collapse whitespace and drop the punctuation speech-to-text tacks on."""
    return " ".join(raw.lower().split()).strip(" .,!?;:")
