"""Turn what a caller (or the language model) said into dates, times and party sizes.

Everything here is pure: no I/O and no LiveKit, so the rules can be tested exhaustively.
Every function raises a subclass of `InvalidValue` whose message can be spoken to the
caller as it is, and never any other exception, whatever text it is given. Phone numbers
are read by `core.spoken.phones`, which the staff API shares.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from core.errors import InvalidValue
from core.spoken.dates import UnresolvedDate, resolve_spoken_date
from core.spoken.numbers import UNITS, spoken_number
from core.spoken.party_size import InvalidPartySize, PartySizeTooLarge, resolve_party_size
from core.spoken.text import tidy

__all__ = [
    "InvalidDate",
    "InvalidPartySize",
    "InvalidTime",
    "PartySizeTooLarge",
    "resolve_date",
    "resolve_party_size",
    "resolve_time",
]

# (opens, closes) of each service of the week: "seven" means whichever of 7 am and 7 pm
# the restaurant seats at.
ServiceSpans = Sequence[tuple[time, time]]


class InvalidDate(InvalidValue):
    """The text is not a date, names a date that doesn't exist, or one already past."""

    default_message = "I didn't catch a valid date."


class InvalidTime(InvalidValue):
    """The text is not a time of day."""

    default_message = "I didn't catch a valid time."


# --- dates ---------------------------------------------------------------------------------


def _local_today(now: datetime, tz: ZoneInfo) -> date:
    # A naive `now` is read as UTC, which is what servers and the database keep.
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(tz).date()


def resolve_date(raw: str, now: datetime, tz: ZoneInfo, *, day_first: bool) -> date:
    """Resolve a spoken or written date relative to `now` in the restaurant's time zone.

    The rules are `core.spoken.dates.resolve_spoken_date`'s: a day and month without a
    year is the next such date, read in the restaurant's order ("2/1" is the 2nd of January
    day first, February 1st month first); "next
    Friday" is the first Friday after today and "Friday next week" the one in next week's
    Monday-to-Sunday; a weekday said with a date must be that date's weekday.

    Args:
        raw: The date as said, e.g. "tomorrow", "next Friday", "Friday next week",
            "in two days", "Saturday the 5th", "25/12", "25th of December", "Dec 25" or
            "2026-12-25".
        now: The current instant. A naive datetime is taken to be UTC.
        tz: The restaurant's time zone, which decides what "today" is.
        day_first: Whether numeric dates are written day first (2/1 = 2 January).

    Returns:
        The calendar date meant.

    Raises:
        InvalidDate: The text is not a date, the date doesn't exist or has passed, its
            weekday is not the one named, or it is too vague to book ("this weekend").
    """
    try:
        return resolve_spoken_date(tidy(raw), _local_today(now, tz), day_first=day_first)
    except UnresolvedDate as unresolved:
        raise InvalidDate(unresolved.message) from None


# --- times ---------------------------------------------------------------------------------

_MERIDIEMS = {
    "am": "am", "in the morning": "am", "pm": "pm", "in the afternoon": "pm",
    "in the evening": "pm", "tonight": "night", "at night": "night",
}  # fmt: skip
_WITH_MERIDIEM = re.compile(rf"(?P<body>.+?)\s*(?P<meridiem>{'|'.join(_MERIDIEMS)})")
# Recognizers write "eight thirty" as "8-30" and "seven thirty" as "730".
_DIGIT_TIME = re.compile(r"(?P<hour>[0-9]{1,2})(?:(?P<sep>[:.\s\-]?)(?P<minute>[0-9]{2}))?")
_RELATIVE_TIME = re.compile(
    r"(?:a\s+)?(?P<minutes>quarter|half|[a-z0-9\- ]+?)(?:\s+minutes?)?"
    r"\s+(?P<direction>past|after|to|before|till)\s+(?P<hour>[a-z0-9]+)"
)
_NAMED_TIMES = {
    "noon": time(12), "midday": time(12), "12 noon": time(12), "twelve noon": time(12),
    "midnight": time(0), "12 midnight": time(0), "twelve midnight": time(0),
}  # fmt: skip


def _seats_during(hour: int, spans: ServiceSpans) -> bool:
    """Whether any service is open at some point of that hour."""
    starts, ends = hour * 60, hour * 60 + 60
    return any(
        opens.hour * 60 + opens.minute < ends and starts < closes.hour * 60 + closes.minute
        for opens, closes in spans
    )


def _to_24_hour(
    hour: int, meridiem: str | None, spans: ServiceSpans, written_24_hour: bool = False
) -> int:
    """The hour on a 24-hour clock, settling a missing am/pm the way a restaurant would."""
    if meridiem is None:
        if not 0 <= hour <= 23:
            raise InvalidTime()
        if written_24_hour or hour == 0 or hour >= 12:
            return hour
        # A caller booking a table means an hour the restaurant seats at. Where both are
        # open the evening is likelier ("ten" beside brunch and dinner is 10 pm); the morning
        # only when the evening is closed ("eleven" for lunch is 11 am).
        morning_only = _seats_during(hour, spans) and not _seats_during(hour + 12, spans)
        return hour if morning_only else hour + 12
    if not 1 <= hour <= 12:
        raise InvalidTime()
    if meridiem == "night" and hour == 12:
        return 0
    return hour % 12 + (0 if meridiem == "am" else 12)


def resolve_time(raw: str, spans: ServiceSpans) -> time:
    """Resolve a spoken or written time of day.

    An hour from 1 to 11 without am or pm is the afternoon or evening one, unless only the
    morning one falls in the restaurant's opening hours (the rule applies to the hour named,
    so with lunch from 11:00 "quarter to eleven" is 10:45am); "0730", "07:30" and "1930"
    are read as a 24-hour clock.

    Args:
        raw: The time as said, e.g. "7pm", "19:30", "seven thirty pm", "half past seven",
            "quarter to eight pm", "noon", "8 in the evening" or "7ish".
        spans: (opens, closes) of every service of the week.

    Returns:
        The time of day, to the minute.

    Raises:
        InvalidTime: The text is not a time, or names one that doesn't exist ("25:00").
    """
    # "7ish" leaves the exact time to us, and the time said is the one to offer.
    text = re.sub(r"(?<=\S)\s*-?\s*ish\b", "", tidy(raw))
    text = re.sub(r"(?<![a-z])([ap])\.?\s?m\b\.?", r" \1m", text)
    text = re.sub(r"\s*o['’ ]?clock\b", "", text)
    # "Half pass seven", "round eight": how a recognizer writes "half past", "around".
    text = re.sub(r"\bpass\b", "past", text)
    text = " ".join(re.sub(r"^(?:at|around|round|about)\s+", "", text).split())
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text]

    meridiem = None
    if match := _WITH_MERIDIEM.fullmatch(text):
        text, meridiem = match["body"], _MERIDIEMS[match["meridiem"]]

    if match := _DIGIT_TIME.fullmatch(text):
        # A leading zero or four digits run together ("0730", "1930") is a 24-hour clock.
        written_24_hour = match["hour"].startswith("0") or (
            match["minute"] is not None and not match["sep"] and len(match["hour"]) == 2
        )
        hour = _to_24_hour(int(match["hour"]), meridiem, spans, written_24_hour)
        minute = int(match["minute"] or 0)
    elif match := _RELATIVE_TIME.fullmatch(text):
        named_hour = spoken_number(match["hour"])
        offset = {"quarter": 15, "half": 30}.get(match["minutes"], spoken_number(match["minutes"]))
        backwards = match["direction"] in {"to", "before", "till"}
        if named_hour is None or offset is None or not 1 <= offset <= 59:
            raise InvalidTime()
        if match["minutes"] == "half" and backwards:
            raise InvalidTime()
        total = _to_24_hour(named_hour, meridiem, spans) * 60 + (-offset if backwards else offset)
        hour, minute = divmod(total % (24 * 60), 60)
    else:
        words = text.split()
        if not words:
            raise InvalidTime()
        # British usage, common in Singapore: "half seven" is half past seven.
        if words[0] == "half" and len(words) == 2:
            words = [words[1], "thirty"]
        named_hour = spoken_number(words[0])
        rest = words[1:]
        if len(rest) == 2 and rest[0] in {"oh", "o"}:
            minutes = UNITS.get(rest[1])
            minutes = minutes if minutes is not None and 1 <= minutes <= 9 else None
        elif rest:
            # Minutes under ten are said "oh five"; "twenty five" is not 20:05.
            minutes = spoken_number(" ".join(rest))
            minutes = minutes if minutes is not None and minutes >= 10 else None
        else:
            minutes = 0
        if named_hour is None or minutes is None:
            raise InvalidTime()
        hour, minute = _to_24_hour(named_hour, meridiem, spans), minutes

    if not 0 <= minute <= 59:
        raise InvalidTime()
    return time(hour, minute)
