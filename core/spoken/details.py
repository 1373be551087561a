"""What a caller said about a booking, read into values with the restaurant's locale and hours.

`read_details` is the one parser the agents use (at a handoff, and whenever the caller adds
or changes a detail); a value that does not parse is noted, never fatal. `CallState.take`
folds the result into the call's booking draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from core.errors import InvalidValue
from core.restaurant import Restaurant
from core.spoken.entities import PartySizeTooLarge, resolve_date, resolve_party_size, resolve_time
from core.spoken.languages import digits_among_words, in_english_forms
from core.spoken.phones import mask_phone, normalize_phone


class BookingFields(BaseModel):
    """The details a booking is made of (or, for the code, found by); any may be missing."""

    party_size: int | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    name: str | None = None
    phone: str | None = None
    notes: str | None = None
    confirmation_code: str | None = None


class BookingDetails(BookingFields):
    """What was understood of a booking this time."""

    # Said but not understood: the reservation agent asks for these again.
    unclear: list[str] = Field(default_factory=list)
    # Why, where the parser could say more than "I didn't catch" (e.g. a weekday that is not
    # the date's): label -> a sentence for the caller. Kept out of the logs.
    why_unclear: dict[str, str] = Field(default_factory=dict)
    # A group above the maximum party size: only staff can arrange it.
    oversized_party: int | None = None
    # The time as said, when no day was known to read it against: read again once one is.
    time_said: str | None = None

    def unclear_details(self) -> list[str]:
        """What to ask again, each with the reason to give the caller where there is one."""
        return [
            f"{label} ({self.why_unclear[label]})" if label in self.why_unclear else label
            for label in self.unclear
        ]

    def entities(self) -> dict[str, Any]:
        """For logs and analytics: which details were given, with personal data masked."""
        return {
            "party_size": self.party_size,
            "date": self.date.isoformat() if self.date else None,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "name_given": self.name is not None,
            "phone": mask_phone(self.phone),
            "notes_given": self.notes is not None,
            "unclear": self.unclear,
            "oversized_party": self.oversized_party,
        }


def read_date(restaurant: Restaurant, now: dt.datetime, raw: str) -> dt.date:
    """A day as said, in the restaurant's time zone and date order."""
    day_first = restaurant.locale.date_order == "day_first"
    return resolve_date(in_english_forms(raw), now, restaurant.tz, day_first=day_first)


def read_phone(restaurant: Restaurant, raw: str) -> str:
    """A phone number as said, in E.164; without a country code, the restaurant's country."""
    said = digits_among_words(in_english_forms(raw))
    return normalize_phone(said, restaurant.locale.phone_region)


def read_details(
    restaurant: Restaurant, now: dt.datetime, on: dt.date | None = None, **said: str | int | None
) -> BookingDetails:
    """Normalise what the model extracted; a value that does not parse is noted, not fatal.

    Args:
        restaurant: Whose locale and opening hours the values are read with.
        now: The current instant, for "tomorrow" and "next Friday".
        on: The booking's day when it was said before, for a time said without one.
        **said: Any of BookingFields' names, each as the caller said it.
    """
    if unknown := set(said) - set(BookingFields.model_fields):
        raise TypeError(f"not booking details: {sorted(unknown)}")
    details = BookingDetails(**{field: _text(said.get(field)) for field in _FREE_TEXT})
    maximum = restaurant.booking.max_party_size
    parsers: dict[str, tuple[str, Callable[[str], object]]] = {
        "party size": (
            "party_size",
            lambda raw: resolve_party_size(digits_among_words(in_english_forms(raw)), maximum),
        ),
        "date": ("date", lambda raw: read_date(restaurant, now, raw)),
        # Against the services of the day meant (the date said now, else `on`): "half ten"
        # on a Sunday of brunch is 10:30, beside a Tuesday's dinner till 22:30 it is 22:30.
        "time": (
            "time",
            lambda raw: resolve_time(
                in_english_forms(raw), restaurant.spans_on(details.date or on)
            ),
        ),
        "phone number": ("phone", lambda raw: read_phone(restaurant, raw)),
    }
    for label, (field, parse) in parsers.items():
        raw = said.get(field)
        if not _text(raw):
            continue
        try:
            setattr(details, field, parse(str(raw)))
            if field == "time" and details.date is None and on is None:
                details.time_said = str(raw)
        except PartySizeTooLarge as too_large:
            details.oversized_party = too_large.size
        except InvalidValue as unclear:
            details.unclear.append(label)
            if unclear.message != type(unclear).default_message:
                details.why_unclear[label] = unclear.message
    return details


# Kept as said (trimmed); the rest are parsed above.
_FREE_TEXT = ("name", "notes", "confirmation_code")


def _text(raw: object) -> str | None:
    text = str(raw).strip() if raw is not None else ""
    return text or None
