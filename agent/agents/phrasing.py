"""How dates, times and confirmation codes are said aloud."""

from __future__ import annotations

from datetime import date, datetime, time

from core.models import Reservation

# Letters read over a phone line are easily confused ("B" or "D"?); codes use no I, L, O, U.
_PHONETIC = {
    "A": "Alpha", "B": "Bravo", "C": "Charlie", "D": "Delta", "E": "Echo", "F": "Foxtrot",
    "G": "Golf", "H": "Hotel", "J": "Juliet", "K": "Kilo", "M": "Mike", "N": "November",
    "P": "Papa", "Q": "Quebec", "R": "Romeo", "S": "Sierra", "T": "Tango", "V": "Victor",
    "W": "Whiskey", "X": "X-ray", "Y": "Yankee", "Z": "Zulu",
}  # fmt: skip


def say_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def say_time(at: time) -> str:
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    if at == time(12, 0):
        return "noon"
    return f"{hour} {suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d} {suffix}"


def say_when(at: datetime) -> str:
    return f"{say_date(at.date())} at {say_time(at.time())}"


def spell_code(code: str) -> str:
    """ "HRZT1N" -> "H for Hotel, R for Romeo, Z for Zulu ... then T for Tango, one, N ..."."""

    def one(char: str) -> str:
        return f"{char} for {_PHONETIC[char]}" if char in _PHONETIC else char

    first, second = code[:3], code[3:]
    return f"{', '.join(map(one, first))} -- then -- {', '.join(map(one, second))}"


def describe_booking(reservation: Reservation) -> str:
    """A booking as the model hears it, for a caller who has shown it is theirs."""
    return (
        f"code {reservation.confirmation_code}, {reservation.party_size} guests on "
        f"{say_when(reservation.starts_at)}, under {reservation.name}"
    )
