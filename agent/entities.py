"""Turn what a caller (or the language model) said into phone numbers, dates, times and sizes.

Everything here is pure: no I/O and no LiveKit, so the rules can be tested exhaustively.
Every function raises a subclass of `EntityError` whose message can be spoken to the
caller as it is, and never any other exception, whatever text it is given.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers

__all__ = [
    "SINGAPORE",
    "EntityError",
    "InvalidDate",
    "InvalidPartySize",
    "InvalidPhone",
    "InvalidTime",
    "PartySizeTooLarge",
    "normalize_phone",
    "resolve_date",
    "resolve_party_size",
    "resolve_time",
]

SINGAPORE = ZoneInfo("Asia/Singapore")


class EntityError(ValueError):
    """Base of every parsing failure; the message can be said to a caller as it is."""

    default_message = "I didn't catch that."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidPhone(EntityError):
    """The text is not a phone number that can be dialled."""

    default_message = "I didn't catch a valid phone number."


class InvalidDate(EntityError):
    """The text is not a date, names a date that doesn't exist, or one already past."""

    default_message = "I didn't catch a valid date."


class InvalidTime(EntityError):
    """The text is not a time of day."""

    default_message = "I didn't catch a valid time."


class InvalidPartySize(EntityError):
    """The text is not a number of guests, or fewer than one."""

    default_message = "I didn't catch how many people are coming."


class PartySizeTooLarge(InvalidPartySize):
    """More guests than can be booked here; the caller should hand over to staff."""

    def __init__(self, size: int, maximum: int) -> None:
        super().__init__(
            f"Groups of more than {maximum} are arranged directly with our staff, "
            "so I'll pass your request on."
        )
        self.size = size
        self.maximum = maximum


# --- shared vocabulary -------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}


def _clean(raw: str) -> str:
    """Lower-case, collapse whitespace and drop punctuation the speech-to-text tacks on."""
    return " ".join(raw.lower().split()).strip(" .,!?;:")


def _number(text: str) -> int | None:
    """`text` as a whole number from ASCII digits or English words below sixty, else None."""
    # Only ASCII digits: `str.isdigit` accepts "²", which `int` then rejects.
    if re.fullmatch(r"[0-9]{1,6}", text):
        return int(text)
    words = text.replace("-", " ").split()
    if len(words) == 1:
        return _UNITS.get(words[0], _TENS.get(words[0]))
    if len(words) == 2 and words[0] in _TENS and 1 <= _UNITS.get(words[1], 0) <= 9:
        return _TENS[words[0]] + _UNITS[words[1]]
    return None


# --- phone numbers ---------------------------------------------------------------------

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEATS = {"double": 2, "triple": 3}


def _spoken_digits(text: str) -> str:
    """Digits from "nine eight double two ..." as speech-to-text writes phone numbers."""
    out: list[str] = []
    repeat = 1
    for token in re.split(r"[\s,()\-.]+", text):
        if not token:
            continue
        if token in _REPEATS and repeat == 1:
            repeat = _REPEATS[token]
            continue
        if token == "plus" and not out:
            out.append("+")
            continue
        digits = _DIGIT_WORDS.get(token, token if re.fullmatch(r"\+?[0-9]+", token) else None)
        if digits is None:
            raise InvalidPhone()
        out.append(digits[0] * repeat + digits[1:] if repeat > 1 else digits)
        repeat = 1
    if repeat != 1:
        raise InvalidPhone()
    return "".join(out)


def normalize_phone(raw: str, default_region: str = "SG") -> str:
    """Normalise a phone number to E.164, taking Singapore numbers without a prefix.

    Args:
        raw: The number as typed or spoken, e.g. "9820 7272", "+44 20 7946 0958" or
            "nine eight two zero seven two seven two".
        default_region: ISO country code assumed when there is no leading "+".

    Returns:
        The number in E.164 form, e.g. "+6598207272".

    Raises:
        InvalidPhone: The text is not a valid number for its country.
    """
    text = _clean(raw)
    if re.search(r"[a-z]", text):
        text = _spoken_digits(text)
    # phonenumbers would read letters as a keypad vanity number and drop an extension;
    # neither is something a caller means when giving a contact number.
    if not re.fullmatch(r"\+?[0-9 ()\-./]*[0-9][0-9 ()\-./]*", text):
        raise InvalidPhone()
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone() from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- dates ---------------------------------------------------------------------------------

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
_RELATIVE_DAYS = {
    "today": 0, "tonight": 0, "this evening": 0, "this afternoon": 0, "tomorrow": 1,
    "tmr": 1, "tmrw": 1, "day after tomorrow": 2, "the day after tomorrow": 2,
}  # fmt: skip
# Longest first so "sept" wins over "sep" and "tues" over "tue".
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?P<year>[0-9]{4}))?"

_ISO_DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")
# Singapore writes the day first: 2/1 is the 2nd of January.
_NUMERIC_DATE = re.compile(
    r"(?P<day>[0-9]{1,2})[/.\-](?P<month>[0-9]{1,2})(?:[/.\-](?P<year>[0-9]{4}|[0-9]{2}))?"
)
_DAY_MONTH = re.compile(
    rf"(?:the\s+)?(?P<day>[0-9]{{1,2}}){_ORDINAL}\s*(?:of\s+)?(?P<month>{_MONTH}){_YEAR}"
)
_MONTH_DAY = re.compile(rf"(?P<month>{_MONTH})\s+(?:the\s+)?(?P<day>[0-9]{{1,2}}){_ORDINAL}{_YEAR}")
_DAY_ONLY = re.compile(r"(?:the\s+)?(?P<day>[0-9]{1,2})(?:st|nd|rd|th)")
_WEEKDAY_DATE = re.compile(
    rf"(?:(?P<modifier>this coming|coming|this|next)\s+)?(?P<day>{_WEEKDAY})"
)
_PART_OF_DAY = re.compile(r"\s+(?:morning|afternoon|evening|night|lunch|dinner)$")

# February has 29 days in some year, so 29/2 without a year is real but 30/2 never is.
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _local_today(now: datetime, tz: ZoneInfo) -> date:
    # A naive `now` is read as UTC, which is what servers and the database keep.
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(tz).date()


def _from_parts(day: int, month: int, year: int | None, today: date) -> date:
    """The date for day and month, in `year` or else its next occurrence from `today`."""
    if not 1 <= month <= 12:
        raise InvalidDate("That date doesn't exist.")
    name = f"{day} {_MONTH_NAMES[month]}"
    if not 1 <= day <= _DAYS_IN_MONTH[month]:
        raise InvalidDate(f"{name} doesn't exist.")
    if year is not None:
        try:
            found = date(year, month, day)
        except ValueError:
            raise InvalidDate(f"{name} {year} doesn't exist.") from None
        if found < today:
            raise InvalidDate("That date has already passed.")
        return found
    # Eight years always reaches a leap year, for the 29th of February.
    for candidate_year in range(today.year, today.year + 9):
        try:
            found = date(candidate_year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise InvalidDate()


def _next_day_of_month(day: int, today: date) -> date:
    """The next date falling on the `day`th, skipping months too short to have it."""
    if not 1 <= day <= 31:
        raise InvalidDate("That date doesn't exist.")
    year, month = today.year, today.month
    for _ in range(13):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise InvalidDate()


def resolve_date(raw: str, now: datetime, tz: ZoneInfo = SINGAPORE) -> date:
    """Resolve a spoken or written date relative to `now` in the restaurant's time zone.

    A day and month without a year is the next such date, never a past one, and is read
    day-first as in Singapore ("2/1" is the 2nd of January). A weekday alone ("Friday",
    "this Friday") includes today, while "next Friday" is the first Friday after today;
    the agent reads the date back, so a caller who meant a week later can correct it.

    Args:
        raw: The date as said, e.g. "tomorrow", "next Friday", "25/12", "25th of December",
            "Dec 25" or "2026-12-25".
        now: The current instant. A naive datetime is taken to be UTC.
        tz: The restaurant's time zone, which decides what "today" is.

    Returns:
        The calendar date meant.

    Raises:
        InvalidDate: The text is not a date, the date doesn't exist, or it has passed.
    """
    today = _local_today(now, tz)
    # "Dec." and "Sat." are abbreviations, not the end of a sentence.
    text = re.sub(r"(?<=[a-z])\.", "", _clean(raw))
    text = re.sub(r"^(?:on|for)\s+", "", text)
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    text = _PART_OF_DAY.sub("", text)
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])

    if match := _WEEKDAY_DATE.fullmatch(text):
        ahead = (_WEEKDAYS[match["day"]] - today.weekday()) % 7
        if match["modifier"] == "next" and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead)
    if match := _DAY_ONLY.fullmatch(text):
        return _next_day_of_month(int(match["day"]), today)

    for pattern in (_ISO_DATE, _NUMERIC_DATE, _DAY_MONTH, _MONTH_DAY):
        if match := pattern.fullmatch(text):
            month = match["month"]
            year = match["year"]
            return _from_parts(
                int(match["day"]),
                _MONTHS[month] if month in _MONTHS else int(month),
                None if year is None else int(year) + (2000 if len(year) == 2 else 0),
                today,
            )
    raise InvalidDate()


# --- times ---------------------------------------------------------------------------------

_MERIDIEMS = {
    "am": "am", "in the morning": "am", "pm": "pm", "in the afternoon": "pm",
    "in the evening": "pm", "tonight": "night", "at night": "night",
}  # fmt: skip
_WITH_MERIDIEM = re.compile(rf"(?P<body>.+?)\s*(?P<meridiem>{'|'.join(_MERIDIEMS)})")
_DIGIT_TIME = re.compile(r"(?P<hour>[0-9]{1,2})(?:(?P<sep>[:.\s]?)(?P<minute>[0-9]{2}))?")
_RELATIVE_TIME = re.compile(
    r"(?:a\s+)?(?P<minutes>quarter|half|[a-z0-9\- ]+?)(?:\s+minutes?)?"
    r"\s+(?P<direction>past|after|to|before|till)\s+(?P<hour>[a-z0-9]+)"
)
_NAMED_TIMES = {
    "noon": time(12), "midday": time(12), "12 noon": time(12), "twelve noon": time(12),
    "midnight": time(0), "12 midnight": time(0), "twelve midnight": time(0),
}  # fmt: skip


def _to_24_hour(hour: int, meridiem: str | None, written_24_hour: bool = False) -> int:
    """The hour on a 24-hour clock, settling a missing am/pm the way a restaurant would."""
    if meridiem is None:
        if not 0 <= hour <= 23:
            raise InvalidTime()
        if written_24_hour or hour == 0 or hour >= 12:
            return hour
        # Without am/pm, a caller booking a table means lunch (11:30-14:30) or dinner
        # (17:30-22:30): "eleven" is 11am, "one" to "ten" are 1pm to 10pm.
        return hour if hour == 11 else hour + 12
    if not 1 <= hour <= 12:
        raise InvalidTime()
    if meridiem == "night" and hour == 12:
        return 0
    return hour % 12 + (0 if meridiem == "am" else 12)


def resolve_time(raw: str) -> time:
    """Resolve a spoken or written time of day.

    Hours from 1 to 10 without am or pm are taken as afternoon or evening and 11 as late
    morning, since those are when a restaurant seats (the rule applies to the hour named,
    so "quarter to eleven" is 10:45am); "0730", "07:30" and "1930" are read as a
    24-hour clock.

    Args:
        raw: The time as said, e.g. "7pm", "19:30", "seven thirty pm", "half past seven",
            "quarter to eight pm", "noon" or "8 in the evening".

    Returns:
        The time of day, to the minute.

    Raises:
        InvalidTime: The text is not a time, or names one that doesn't exist ("25:00").
    """
    text = _clean(raw)
    text = re.sub(r"(?<![a-z])([ap])\.?\s?m\b\.?", r" \1m", text)
    text = re.sub(r"\s*o['’ ]?clock\b", "", text)
    text = " ".join(re.sub(r"^(?:at|around|about)\s+", "", text).split())
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
        hour = _to_24_hour(int(match["hour"]), meridiem, written_24_hour)
        minute = int(match["minute"] or 0)
    elif match := _RELATIVE_TIME.fullmatch(text):
        named_hour = _number(match["hour"])
        offset = {"quarter": 15, "half": 30}.get(match["minutes"], _number(match["minutes"]))
        backwards = match["direction"] in {"to", "before", "till"}
        if named_hour is None or offset is None or not 1 <= offset <= 59:
            raise InvalidTime()
        if match["minutes"] == "half" and backwards:
            raise InvalidTime()
        total = _to_24_hour(named_hour, meridiem) * 60 + (-offset if backwards else offset)
        hour, minute = divmod(total % (24 * 60), 60)
    else:
        words = text.split()
        if not words:
            raise InvalidTime()
        # British usage, common in Singapore: "half seven" is half past seven.
        if words[0] == "half" and len(words) == 2:
            words = [words[1], "thirty"]
        named_hour = _number(words[0])
        rest = words[1:]
        if len(rest) == 2 and rest[0] in {"oh", "o"}:
            minutes = _UNITS.get(rest[1])
            minutes = minutes if minutes is not None and 1 <= minutes <= 9 else None
        elif rest:
            # Minutes under ten are said "oh five"; "twenty five" is not 20:05.
            minutes = _number(" ".join(rest))
            minutes = minutes if minutes is not None and minutes >= 10 else None
        else:
            minutes = 0
        if named_hour is None or minutes is None:
            raise InvalidTime()
        hour, minute = _to_24_hour(named_hour, meridiem), minutes

    if not 0 <= minute <= 59:
        raise InvalidTime()
    return time(hour, minute)


# --- party size ------------------------------------------------------------------------

_PARTY_FILLERS = frozenset(
    "a an the party of table for people persons person pax guests guest adults pple ppl "
    "us we we're we'll are will be there just only about around in total group".split()
)
_PARTY_WORDS = {"me": 1, "myself": 1, "couple": 2, "dozen": 12}


def resolve_party_size(raw: str | int, max_party_size: int = 20) -> int:
    """Resolve how many guests are coming.

    Args:
        raw: A number, or what was said, e.g. "4", "four people", "a party of six",
            "table for two", "just me", "a couple" or "two of us".
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
        text = re.sub(r"(?<=[0-9])(?=[a-z])", " ", _clean(raw))
        text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
        words = " ".join(word for word in text.split() if word not in _PARTY_FILLERS)
        size = _PARTY_WORDS.get(words, _number(words))
    if size is None:
        raise InvalidPartySize()
    if size < 1:
        raise InvalidPartySize("A booking needs at least one guest.")
    if size > max_party_size:
        raise PartySizeTooLarge(size, max_party_size)
    return size
