"""Word accuracy of the recognizer and value accuracy end to end, over the speech corpus.

Words are compared after both sides are written one way: lower case, no punctuation, number
words as digits and every number digit by digit ("twenty fifth" and "25th" are "2 5"), so
what counts is a word heard wrong, not Whisper's habit of writing digits.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from core.errors import InvalidValue
from core.restaurant import Restaurant
from core.spoken.details import read_details

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
NUMBER_WORDS = {word: n for n, word in enumerate(_UNITS)} | _ORDINALS | {"oh": 0}


def words(text: str) -> list[str]:
    """`text` as comparable words (see the module's docstring)."""
    text = re.sub(r"(?<=[0-9])(?:st|nd|rd|th)\b", "", text.lower())
    text = re.sub(r"\bp\.?\s?m\b\.?", " pm ", re.sub(r"\ba\.?\s?m\b\.?", " am ", text))
    tokens = re.sub(r"[^a-z0-9' ]+", " ", text).split()
    out: list[str] = []
    for token in tokens:
        if token in NUMBER_WORDS and out and out[-1].startswith("tens:"):
            out[-1] = str(int(out[-1][5:]) + NUMBER_WORDS[token])
        elif token in _TENS:
            out.append(f"tens:{_TENS[token]}")
        elif token in NUMBER_WORDS:
            out.append(str(NUMBER_WORDS[token]))
        else:
            out.append(token)
    spelled: list[str] = []
    for token in out:
        token = token.removeprefix("tens:")
        spelled.extend(list(token) if token.isdigit() else [token])
    return spelled


def edits(reference: list[str], hypothesis: list[str]) -> int:
    """Word edit distance: substitutions, insertions and deletions."""
    row = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, hyp in enumerate(hypothesis, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ref != hyp))
    return row[-1]


def word_accuracy(lines: list[dict[str, str]]) -> tuple[float, int]:
    """1 - word error rate over all lines, and the number of reference words."""
    errors = total = 0
    for line in lines:
        reference = words(line["said"])
        errors += edits(reference, words(line["heard"]))
        total += len(reference)
    return 1 - errors / total, total


_FIELDS = {"phone": "phone", "time": "time", "date": "date", "party_size": "party_size"}


def read_value(restaurant: Restaurant, now: Any, kind: str, heard: str) -> str | None:
    """The value the booking tools read from `heard`, written as the corpus writes values."""
    field = _FIELDS[kind]
    try:
        details = read_details(restaurant, now, None, **{field: heard})
    except InvalidValue:
        return None
    value = getattr(details, field)
    if value is None:
        return None
    if field == "time":
        return str(value.strftime("%H:%M"))
    if field == "date":
        return str(value.strftime("%m-%d"))
    return str(value)


def value_outcomes(
    restaurant: Restaurant, now: Any, lines: list[dict[str, str]]
) -> dict[str, Counter[str]]:
    """Per kind of value: how many were read right, asked for again, or read WRONG."""
    outcomes: dict[str, Counter[str]] = {}
    for line in lines:
        if line["kind"] not in _FIELDS:
            continue
        value = read_value(restaurant, now, line["kind"], line["heard"])
        outcome = "right" if value == line["value"] else "asked again" if value is None else "WRONG"
        outcomes.setdefault(line["kind"], Counter())[outcome] += 1
    return outcomes
