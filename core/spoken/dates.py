"""Read the dates callers say: "Saturday the 5th", "Friday next week", "in two days", "25/12".

`resolve_spoken_date` works on text already cleaned up and on the restaurant's date today,
so it knows nothing of time zones. `core.spoken.entities.resolve_date` is the way in for the rest
of the agent: it turns `UnresolvedDate` into the `InvalidDate` said to the caller. It
imports nothing from `core.spoken.entities`, which imports it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from core.spoken.numbers import spoken_number

__all__ = ["UnresolvedDate", "resolve_spoken_date"]


class UnresolvedDate(Exception):
    """The text names no usable date; `message`, if any, tells the caller why.

    `core.spoken.entities.resolve_date` re-raises it as `InvalidDate`, so it never leaves the
    agent's entity parsing.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = (
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
# Spelled out rather than `%A`, which follows the process locale.
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RELATIVE_DAYS = {
    "today": 0, "tonight": 0, "this evening": 0, "this afternoon": 0, "tomorrow": 1,
    "tmr": 1, "tmrw": 1, "day after tomorrow": 2, "the day after tomorrow": 2,
}  # fmt: skip
_SPAN_DAYS = {"day": 1, "week": 7}
# Recognizers write most ordinals as "25th" but leave the short ones as words.
_ORDINAL_WORDS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}  # fmt: skip
_ORDINAL_WORD = re.compile(
    rf"\b(?:the\s+(?P<after_the>{'|'.join(_ORDINAL_WORDS)})\b"
    rf"|(?P<before_of>{'|'.join(_ORDINAL_WORDS)})(?=\s+of\s))"
)
# Longest first so "sept" wins over "sep" and "tues" over "tue".
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?P<year>[0-9]{4}))?"

_ISO_DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")
# Which number is the day depends on the country: 2/1 is the 2nd of January day first.
_DAY_FIRST_DATE = re.compile(
    r"(?P<day>[0-9]{1,2})[/.\-](?P<month>[0-9]{1,2})(?:[/.\-](?P<year>[0-9]{4}|[0-9]{2}))?"
)
_MONTH_FIRST_DATE = re.compile(
    r"(?P<month>[0-9]{1,2})[/.\-](?P<day>[0-9]{1,2})(?:[/.\-](?P<year>[0-9]{4}|[0-9]{2}))?"
)
_DAY_MONTH = re.compile(
    rf"(?:the\s+)?(?P<day>[0-9]{{1,2}}){_ORDINAL}\s*(?:of\s+)?(?P<month>{_MONTH}){_YEAR}"
)
_MONTH_DAY = re.compile(rf"(?P<month>{_MONTH})\s+(?:the\s+)?(?P<day>[0-9]{{1,2}}){_ORDINAL}{_YEAR}")
_DAY_ONLY = re.compile(r"(?:the\s+)?(?P<day>[0-9]{1,2})(?:st|nd|rd|th)")
_WEEKDAY_DATE = re.compile(
    rf"(?:(?P<modifier>this coming|coming|this|next)\s+)?(?P<day>{_WEEKDAY})"
)
# "Saturday the 5th", "Sat 5/12": the date decides and the weekday is checked against it,
# so a "this" or "next" in front changes nothing.
_WEEKDAY_AND_DATE = re.compile(
    rf"(?:(?:this coming|coming|this|next)\s+)?(?P<weekday>{_WEEKDAY}),?\s+(?P<date>.+)"
)
# "2026-12-04 Friday", "2026-12-04 (Friday)": the canonical form a model is asked to give
# for a caller in another language, the weekday checked the same way.
_DATE_AND_WEEKDAY = re.compile(rf"(?P<date>.+?),?\s+\(?(?P<weekday>{_WEEKDAY})\)?")
_WEEKDAY_OF_WEEK = (
    re.compile(rf"(?P<day>{_WEEKDAY}),?\s+(?:of\s+)?(?P<week>this|next)\s+week"),
    re.compile(rf"(?P<week>this|next)\s+week,?\s+(?:on\s+)?(?P<day>{_WEEKDAY})"),
)
_COUNT = r"(?P<count>[a-z0-9]+(?:[\s\-][a-z]+)?)"
_UNIT = r"(?P<unit>day|week)(?:s|['’]s|s['’])?"
_SPANS = (
    re.compile(rf"in\s+{_COUNT}\s+{_UNIT}(?:\s+time)?"),
    re.compile(rf"{_COUNT}\s+{_UNIT}\s+from\s+(?:today|now)"),
    # British usage: "a week today" is a week from today.
    re.compile(rf"{_COUNT}\s+(?P<unit>week)s?\s+today"),
)
_WEEKEND = re.compile(r"(?:(?:this coming|coming|this|next|the)\s+)?weekend")
_PART_OF_DAY = re.compile(r"\s+(?:morning|afternoon|evening|night|lunch|dinner)$")

# February has 29 days in some year, so 29/2 without a year is real but 30/2 never is.
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _from_parts(day: int, month: int, year: int | None, today: date) -> date:
    """The date for day and month, in `year` or else its next occurrence from `today`."""
    if not 1 <= month <= 12:
        raise UnresolvedDate("That date doesn't exist.")
    name = f"{day} {_MONTH_NAMES[month]}"
    if not 1 <= day <= _DAYS_IN_MONTH[month]:
        raise UnresolvedDate(f"{name} doesn't exist.")
    if year is not None:
        try:
            found = date(year, month, day)
        except ValueError:
            raise UnresolvedDate(f"{name} {year} doesn't exist.") from None
        if found < today:
            raise UnresolvedDate("That date has already passed.")
        return found
    # Eight years always reaches a leap year, for the 29th of February.
    for candidate_year in range(today.year, today.year + 9):
        try:
            found = date(candidate_year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise UnresolvedDate()


def _next_day_of_month(day: int, today: date) -> date:
    """The next date falling on the `day`th, skipping months too short to have it."""
    if not 1 <= day <= 31:
        raise UnresolvedDate("That date doesn't exist.")
    year, month = today.year, today.month
    for _ in range(13):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise UnresolvedDate()


def _calendar_date(text: str, today: date, day_first: bool) -> date | None:
    """The date a day of the month names, with or without month and year, else None."""
    if match := _DAY_ONLY.fullmatch(text):
        return _next_day_of_month(int(match["day"]), today)
    numeric = _DAY_FIRST_DATE if day_first else _MONTH_FIRST_DATE
    for pattern in (_ISO_DATE, numeric, _DAY_MONTH, _MONTH_DAY):
        if match := pattern.fullmatch(text):
            month = match["month"]
            year = match["year"]
            return _from_parts(
                int(match["day"]),
                _MONTHS[month] if month in _MONTHS else int(month),
                None if year is None else int(year) + (2000 if len(year) == 2 else 0),
                today,
            )
    return None


def _on_weekday(found: date, weekday: int, today: date) -> date:
    """`found`, provided it falls on `weekday`; otherwise the caller is asked which."""
    if found.weekday() == weekday:
        return found
    # Naming a year the caller didn't say shows them the date has rolled over.
    year = "" if found.year == today.year else f" {found.year}"
    raise UnresolvedDate(
        f"The {_ordinal(found.day)} of {_MONTH_NAMES[found.month]}{year} is a "
        f"{_WEEKDAY_NAMES[found.weekday()]}, not a {_WEEKDAY_NAMES[weekday]}. "
        "Which did you mean?"
    )


def _in_week(weekday: int, week: str, today: date) -> date:
    """The `weekday` of this or next week, weeks running Monday to Sunday."""
    monday = today - timedelta(days=today.weekday())
    if week == "next":
        monday += timedelta(days=7)
    found = monday + timedelta(days=weekday)
    if found < today:
        raise UnresolvedDate("That date has already passed.")
    return found


def _after(count: str, unit: str, today: date) -> date:
    """The date `count` days or weeks after `today`."""
    number = 1 if count in {"a", "an"} else spoken_number(count)
    if number is None or number < 1:
        raise UnresolvedDate()
    # Counts go up to 999999, and that many weeks runs past the year 9999.
    try:
        return today + timedelta(days=number * _SPAN_DAYS[unit])
    except OverflowError:
        raise UnresolvedDate() from None


def resolve_spoken_date(text: str, today: date, *, day_first: bool) -> date:
    """Resolve a spoken or written date relative to `today`.

    A day and month without a year is the next such date, never a past one; numbers are
    read in the country's order ("2/1" is the 2nd of January day first). A weekday alone ("Friday",
    "this Friday") includes today, while "next Friday" is the first Friday after today;
    the agent reads the date back, so a caller who meant a week later can correct it.
    "Friday next week" is the Friday of the Monday-to-Sunday week after this one ("Friday
    this week", of this one). A weekday said with a date ("Saturday the 5th") must fall on
    that date: the caller is asked which they meant rather than one of them being guessed.

    Args:
        text: The date as said, lower-cased, with single spaces and no punctuation at either
            end, e.g. "tomorrow", "next friday", "friday next week", "in two days",
            "saturday the 5th", "25/12", "dec 25" or "2026-12-25".
        today: The restaurant's date today.
        day_first: Whether numeric dates are written day first (2/1 = 2 January).

    Returns:
        The calendar date meant, today or later.

    Raises:
        UnresolvedDate: The text is not a date, the date doesn't exist or has passed, the
            weekday named is not the date's, or the text is too vague ("this weekend").
    """
    # "Dec." and "Sat." are abbreviations, not the end of a sentence.
    text = re.sub(r"(?<=[a-z])\.", "", text)
    text = re.sub(r"^(?:on|for)\s+", "", text)
    text = _ORDINAL_WORD.sub(
        lambda match: f"the {_ORDINAL_WORDS[match['after_the'] or match['before_of']]}", text
    )
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    text = _PART_OF_DAY.sub("", text)
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    # Picking a day would be wrong half the time, so the caller is asked instead.
    if _WEEKEND.fullmatch(text):
        raise UnresolvedDate("The weekend could be Saturday or Sunday.")

    if match := _WEEKDAY_DATE.fullmatch(text):
        ahead = (_WEEKDAYS[match["day"]] - today.weekday()) % 7
        if match["modifier"] == "next" and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead)
    for pattern in _WEEKDAY_OF_WEEK:
        if match := pattern.fullmatch(text):
            return _in_week(_WEEKDAYS[match["day"]], match["week"], today)
    for pattern in _SPANS:
        if match := pattern.fullmatch(text):
            return _after(match["count"], match["unit"], today)
    for pattern in (_WEEKDAY_AND_DATE, _DATE_AND_WEEKDAY):
        if match := pattern.fullmatch(text):
            found = _calendar_date(match["date"], today, day_first)
            if found is not None:
                return _on_weekday(found, _WEEKDAYS[match["weekday"]], today)
    found = _calendar_date(text, today, day_first)
    if found is None:
        raise UnresolvedDate()
    return found
