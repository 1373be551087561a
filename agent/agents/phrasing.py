"""How dates, times and confirmation codes are said aloud."""

from __future__ import annotations

from datetime import date, datetime, time

import phonenumbers

from core.models import Reservation
from core.spoken.text import say_time

__all__ = ["say_time"]

# Letters read over a phone line are easily confused ("B" or "D"?); codes use no I, L, O, U.
_PHONETIC = {
    "A": "Alpha", "B": "Bravo", "C": "Charlie", "D": "Delta", "E": "Echo", "F": "Foxtrot",
    "G": "Golf", "H": "Hotel", "J": "Juliet", "K": "Kilo", "M": "Mike", "N": "November",
    "P": "Papa", "Q": "Quebec", "R": "Romeo", "S": "Sierra", "T": "Tango", "V": "Victor",
    "W": "Whiskey", "X": "X-ray", "Y": "Yankee", "Z": "Zulu",
}  # fmt: skip


def say_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def say_when(at: datetime) -> str:
    return f"{say_date(at.date())} at {say_time(at.time())}"


def spell_code(code: str) -> str:
    """ "HRZT1N" -> "H for Hotel, R for Romeo, Z for Zulu ... then T for Tango, one, N ..."."""

    def one(char: str) -> str:
        return f"{char} for {_PHONETIC[char]}" if char in _PHONETIC else char

    first, second = code[:3], code[3:]
    return f"{', '.join(map(one, first))} -- then -- {', '.join(map(one, second))}"


def say_phone(number: str, calling_from: str | None) -> str:
    """A phone number as the model may say it: the caller's own line only by its last four
    digits (the caller-ID rule, agent/agents/prompts.py:calling_from), any other in the
    country's own grouping ("9123 4567"), never as E.164."""
    if number == calling_from:
        return f"the number they are calling from, ending {number[-4:]}"
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def describe_booking(reservation: Reservation) -> str:
    """A booking as the model hears it, for a caller who has shown it is theirs: with its
    notes, so that a note added later is added to them, not put in their place."""
    described = (
        f"code {reservation.confirmation_code}, {reservation.party_size} guests on "
        f"{say_when(reservation.starts_at)}, under {reservation.name}"
    )
    notes = reservation.other_info.get("notes")
    return f"{described}, notes: {notes}" if notes else described


def describe_change(
    reservation: Reservation, day: date | None, at: time | None, party_size: int | None
) -> str:
    """What `reservation` would be with a new day, time or party size (None: unchanged)."""
    when = datetime.combine(day or reservation.reservation_date, at or reservation.reservation_time)
    return f"{party_size or reservation.party_size} guests on {say_when(when)}"
