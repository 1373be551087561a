"""English number words as speech-to-text writes them: "four", "twenty five", "12"."""

from __future__ import annotations

import re

__all__ = ["UNITS", "spoken_number"]

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}


def spoken_number(text: str) -> int | None:
    """`text` as a whole number from ASCII digits or English words below sixty, else None."""
    # Only ASCII digits: `str.isdigit` accepts "²", which `int` then rejects.
    if re.fullmatch(r"[0-9]{1,6}", text):
        return int(text)
    words = text.replace("-", " ").split()
    if len(words) == 1:
        return UNITS.get(words[0], _TENS.get(words[0]))
    if len(words) == 2 and words[0] in _TENS and 1 <= UNITS.get(words[1], 0) <= 9:
        return _TENS[words[0]] + UNITS[words[1]]
    return None
