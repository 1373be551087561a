"""Phone numbers as callers say them and staff type them, read into E.164.

Numbers without a country code belong to the restaurant's country (`locale.phone_region` in
restaurant.toml). The voice agent and the staff API both read numbers here.
"""

from __future__ import annotations

import re

import phonenumbers

from core.errors import InvalidValue
from core.spoken.text import tidy

__all__ = ["InvalidPhone", "is_known_region", "is_partial_phone", "mask_phone", "normalize_phone"]


class InvalidPhone(InvalidValue):
    """The text is not a phone number that can be dialled."""

    default_message = "I didn't catch a valid phone number."


_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEATS = {"double": 2, "triple": 3}
# Between digits, or after "double", a recognizer writes "eight" as "a" ("9a20", "double a").
_EIGHT_AS_A = re.compile(r"(?<=[0-9])a(?=[0-9])|(?<=double )a\b|(?<=triple )a\b")
# How digits are grouped in writing: recognizers join them with hyphens, dots, commas or spaces
# ("9-1-1-2, 2-2-3-3.", "9-8-20, 7-27-2."). A lost digit ("9,827,272") is then too few.
_SEPARATORS = r"[ ()\-./,]"
_WRITTEN_NUMBER = re.compile(r"\+?[0-9 ()\-./,]*[0-9][0-9 ()\-./,]*")
# What callers say before the number. Only these are dropped: other words around digits
# ("call 9820 7272 tomorrow") may change what the digits mean, so such text is refused.
_LEAD_IN = re.compile(
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
    text = _EIGHT_AS_A.sub("8", text)
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


def normalize_phone(raw: str, region: str) -> str:
    """Normalise a phone number to E.164.

    Args:
        raw: The number as typed or spoken, e.g. "9820 7272", "+44 20 7946 0958",
            "nine eight two zero seven two seven two" or "my number is 9820 7272".
        region: ISO 3166 country code of numbers written without a leading "+".

    Returns:
        The number in E.164 form, e.g. "+6598207272".

    Raises:
        InvalidPhone: The text is not a valid number for its country.
    """
    text = _LEAD_IN.sub("", tidy(raw), count=1)
    if re.search(r"[a-z]", text):
        text = _spoken_digits(text)
    # phonenumbers would read letters as a keypad vanity number and drop an extension;
    # neither is something a caller means when giving a contact number.
    if not _WRITTEN_NUMBER.fullmatch(text):
        raise InvalidPhone()
    text = text.replace(",", " ")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone() from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_partial_phone(raw: str, region: str) -> bool:
    """Whether `raw` is the start of a phone number, with too few digits for one yet.

    "nine eight two zero" is half a Singapore number (they have 8 digits), "plus six five" a
    country code alone: a caller reading a number out in groups has not finished. A whole
    number, or text that is not digits at all, is not partial.
    """
    text = _LEAD_IN.sub("", tidy(raw), count=1)
    try:
        digits = (
            _spoken_digits(text) if re.search(r"[a-z]", text) else re.sub(_SEPARATORS, "", text)
        )
    except InvalidPhone:
        return False
    if not re.fullmatch(r"\+?[0-9]+", digits):
        return False
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        # Too short to parse: a country code, or a digit or two.
        return len(digits) <= 4
    if phonenumbers.is_valid_number(number):
        return False
    country = phonenumbers.region_code_for_country_code(number.country_code or 0)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(country)
    described = metadata.general_desc if metadata else None
    # E.164 allows 15 digits in all.
    longest = max(described.possible_length) if described and described.possible_length else 15
    return len(str(number.national_number)) < longest


def mask_phone(phone: str | None) -> str | None:
    """ "+6598207272" -> "+65******72": enough to tell calls apart in logs, not to dial."""
    if not phone:
        return None
    return phone[:3] + "*" * (len(phone) - 5) + phone[-2:]


def is_known_region(region: str) -> bool:
    """Whether `region` is a country phonenumbers has numbering rules for."""
    return region in phonenumbers.SUPPORTED_REGIONS
