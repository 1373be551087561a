"""Turn what a caller (or the language model) said into phone numbers, dates, times and sizes.

Everything here is pure: no I/O and no LiveKit, so the rules can be tested exhaustively.
Every function raises a subclass of `EntityError` whose message can be spoken to the
caller as it is, and never any other exception, whatever text it is given.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import phonenumbers

from agent.spoken_dates import UnresolvedDate, resolve_spoken_date
from agent.spoken_numbers import UNITS, spoken_number

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


# --- shared ------------------------------------------------------------------------------


def _clean(raw: str) -> str:
    """Lower-case, collapse whitespace and drop punctuation the speech-to-text tacks on."""
    return " ".join(raw.lower().split()).strip(" .,!?;:")


# --- phone numbers ---------------------------------------------------------------------

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEATS = {"double": 2, "triple": 3}
# What callers say before the number. Only these are dropped: other words around digits
# ("call 9820 7272 tomorrow") may change what the digits mean, so such text is refused.
_PHONE_LEAD_IN = re.compile(
    r"""^(?:
        (?: it | that
          | (?:(?:my|the|our)\s+)? (?:(?:contact|phone|mobile|cell|handphone|hp)\s+)? number
          | (?:my|the|our)\s+ (?:contact|phone|mobile|cell|handphone|hp)
        ) (?:['’]s | \s+is)
      | (?:you\s+can\s+)? (?:reach|call|contact)\s+ (?:me|us)\s+ (?:at|on)
    )\s+""",
    re.VERBOSE,
)


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
        raw: The number as typed or spoken, e.g. "9820 7272", "+44 20 7946 0958",
            "nine eight two zero seven two seven two" or "my number is 9820 7272".
        default_region: ISO country code assumed when there is no leading "+".

    Returns:
        The number in E.164 form, e.g. "+6598207272".

    Raises:
        InvalidPhone: The text is not a valid number for its country.
    """
    text = _PHONE_LEAD_IN.sub("", _clean(raw), count=1)
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


def _local_today(now: datetime, tz: ZoneInfo) -> date:
    # A naive `now` is read as UTC, which is what servers and the database keep.
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(tz).date()


def resolve_date(raw: str, now: datetime, tz: ZoneInfo = SINGAPORE) -> date:
    """Resolve a spoken or written date relative to `now` in the restaurant's time zone.

    The rules are `agent.spoken_dates.resolve_spoken_date`'s: a day and month without a
    year is the next such date, read day-first ("2/1" is the 2nd of January); "next
    Friday" is the first Friday after today and "Friday next week" the one in next week's
    Monday-to-Sunday; a weekday said with a date must be that date's weekday.

    Args:
        raw: The date as said, e.g. "tomorrow", "next Friday", "Friday next week",
            "in two days", "Saturday the 5th", "25/12", "25th of December", "Dec 25" or
            "2026-12-25".
        now: The current instant. A naive datetime is taken to be UTC.
        tz: The restaurant's time zone, which decides what "today" is.

    Returns:
        The calendar date meant.

    Raises:
        InvalidDate: The text is not a date, the date doesn't exist or has passed, its
            weekday is not the one named, or it is too vague to book ("this weekend").
    """
    try:
        return resolve_spoken_date(_clean(raw), _local_today(now, tz))
    except UnresolvedDate as unresolved:
        raise InvalidDate(unresolved.message) from None


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
            "quarter to eight pm", "noon", "8 in the evening" or "7ish".

    Returns:
        The time of day, to the minute.

    Raises:
        InvalidTime: The text is not a time, or names one that doesn't exist ("25:00").
    """
    # "7ish" leaves the exact time to us, and the time said is the one to offer.
    text = re.sub(r"(?<=\S)\s*-?\s*ish\b", "", _clean(raw))
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
        named_hour = spoken_number(match["hour"])
        offset = {"quarter": 15, "half": 30}.get(match["minutes"], spoken_number(match["minutes"]))
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
            "two adults and two kids". In a sum every part must be a count on its own.
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
        phrases = _PARTY_SUM.split(text)
        size = _guest_count(text) if len(phrases) == 1 else _party_sum(phrases)
    if size is None:
        raise InvalidPartySize()
    if size < 1:
        raise InvalidPartySize("A booking needs at least one guest.")
    if size > max_party_size:
        raise PartySizeTooLarge(size, max_party_size)
    return size
