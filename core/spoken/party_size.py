"""How many guests are coming, as callers say it: "a party of six", "me and my wife".

`core.spoken.entities` is the way in for the rest of the agent and re-exports these.
"""

from __future__ import annotations

import re

from core.errors import InvalidValue
from core.spoken.numbers import spoken_number
from core.spoken.text import tidy

__all__ = ["InvalidPartySize", "PartySizeTooLarge", "resolve_party_size"]


class InvalidPartySize(InvalidValue):
    """The text is not a number of guests, or fewer than one."""

    default_message = "I didn't catch how many people are coming."


class PartySizeTooLarge(InvalidPartySize):
    """More guests than can be booked here; the caller should hand over to staff."""

    def __init__(self, size: int, maximum: int) -> None:
        # The agents say the restaurant's own rule (BookingRules.party_limit) instead.
        super().__init__(
            f"We book tables for up to {maximum} guests; larger groups are arranged with our staff."
        )
        self.size = size
        self.maximum = maximum


_PARTY_FILLERS = frozenset(
    "a an the party of table for people persons person pax guests guest adults pple ppl "
    "us we we're we'll are will be there just only about around in total group".split()
)
_PARTY_WORDS = {"me": 1, "myself": 1, "couple": 2, "dozen": 12}
# Who may follow a count: "two kids", "3 children", "one adult".
_PEOPLE = frozenset(
    "adult kid kids child children friend friends colleague colleagues baby babies toddler "
    "toddlers infant infants senior seniors others".split()
)
# One guest each, but only as part of a sum ("me and my wife"): said alone, "my wife"
# might be who the table is for or who is coming along, and that is the caller's to say.
_ONE_GUEST = frozenset(
    "me i myself wife husband partner spouse fiance fiancee boyfriend girlfriend friend "
    "colleague boss mum mom mother dad father son daughter brother sister baby kid child "
    "toddler infant".split()
)
# Recognizers write "four people" as "for people" and "two adults" as "to adults": before the
# word for guests, with no count of their own, they are the count.
_HOMOPHONE_COUNT = re.compile(
    r"(?:^|(?<=\s))(?P<word>for|to|too)(?=\s+(?:people|persons|guests|pax|adults|kids|children)\b)"
)
_HOMOPHONES = {"for": "four", "to": "two", "too": "two"}
# "And", "plus" and commas add up; "with" does not: "four with two kids" may be 4 or 6.
_PARTY_SUM = re.compile(r"\s*(?:,\s+(?:and\s+|plus\s+)?|\s&\s|\+|\band\b|\bplus\b)\s*")


def _guest_count(phrase: str, in_sum: bool = False) -> int | None:
    """How many guests one phrase names ("party of six", "two kids"), else None."""
    words = [word for word in phrase.split() if word not in _PARTY_FILLERS]
    if in_sum:
        words = [word for word in words if word not in {"my", "our"}]
        if len(words) == 1 and words[0] in _ONE_GUEST:
            return 1
    if len(words) > 1 and words[-1] in _PEOPLE:
        words.pop()
    counted = " ".join(words)
    return _PARTY_WORDS.get(counted, spoken_number(counted))


def _party_sum(phrases: list[str]) -> int | None:
    """The guests of "two adults and two kids" added up, or None unless every part counts."""
    total = 0
    for phrase in phrases:
        count = _guest_count(phrase, in_sum=True)
        if count is None or count < 1:
            return None
        total += count
    return total


def resolve_party_size(raw: str | int, max_party_size: int = 20) -> int:
    """Resolve how many guests are coming.

    Args:
        raw: A number, or what was said, e.g. "4", "four people", "a party of six",
            "table for two", "just me", "a couple", "two of us", "me and my wife" or
            "two adults and two kids"; "for people" and "to adults" as a recognizer writes
            "four people" and "two adults". In a sum every part must be a count on its own.
        max_party_size: The largest party that can be booked without staff.

    Returns:
        The number of guests, from 1 to `max_party_size`.

    Raises:
        PartySizeTooLarge: More than `max_party_size` guests; staff arrange those.
        InvalidPartySize: The text is not a number of guests, or it is below one.
    """
    if isinstance(raw, bool):
        raise InvalidPartySize()
    if isinstance(raw, int):
        size: int | None = raw
    else:
        text = re.sub(r"(?<=[0-9])(?=[a-z])", " ", tidy(raw))
        text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
        # "For four people, please": a courtesy, not a part of a sum.
        text = re.sub(r"(?:,\s*)?\b(?:please|thanks|thank you)\b", "", text).strip(" ,")
        text = _HOMOPHONE_COUNT.sub(lambda match: _HOMOPHONES[match["word"]], text)
        phrases = _PARTY_SUM.split(text)
        size = _guest_count(text) if len(phrases) == 1 else _party_sum(phrases)
    if size is None:
        raise InvalidPartySize()
    if size < 1:
        raise InvalidPartySize("A booking needs at least one guest.")
    if size > max_party_size:
        raise PartySizeTooLarge(size, max_party_size)
    return size
