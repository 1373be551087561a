"""Domain errors: what the agent speaks and the API maps to HTTP codes, never SQLSTATEs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class StartupError(RuntimeError):
    """Something the operator must fix before the product can start; the message says what."""


class RecordingsUnavailable(RuntimeError):
    """The folder or bucket that keeps call recordings could not be used.

    Not an OSError: the database's guard takes those for a lost connection (core/db/base.py),
    and the purge deletes recordings inside its transaction."""


class InvalidValue(ValueError):
    """Base of every value that cannot be read (a phone number, a code, a date, a time).

    The message can be said to a caller, or shown to staff, as it is.
    """

    default_message = "I didn't catch that."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class BookingError(Exception):
    """Base of every expected failure; the message can be said to a caller as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Reason(StrEnum):
    PARTY_TOO_SMALL = "party_too_small"
    PARTY_TOO_LARGE = "party_too_large"
    CLOSED = "closed"
    OUTSIDE_HOURS = "outside_hours"
    NOT_ON_SLOT = "not_on_slot"
    IN_PAST = "in_past"
    TOO_SOON = "too_soon"
    TOO_FAR_AHEAD = "too_far_ahead"
    SLOT_TAKEN = "slot_taken"


class BookingRejected(BookingError):
    """The requested time cannot be booked; `alternatives` are the nearest that can."""

    def __init__(
        self, reason: Reason, message: str, alternatives: tuple[datetime, ...] = ()
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.alternatives = alternatives


class AlreadyBooked(BookingError):
    """The phone already holds a confirmed reservation that day."""


class ReservationNotFound(BookingError):
    """No confirmed reservation matches."""


class EscalationNotFound(BookingError):
    """No callback has that id."""


class CallNotFound(BookingError):
    """No call has that id or session."""


class IllegalTransition(BookingError):
    """A status change the rules do not allow (core/rules/transitions.py says which do)."""


class IdempotencyKeyReused(BookingError):
    """A retried request carried the key of an earlier, different request."""


class DatabaseUnavailable(BookingError):
    """The database did not answer in time; nothing was written."""
