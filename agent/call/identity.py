"""Who the caller has shown themselves to be, booking by booking: what they may hear and change.

A booking's details reach the model, and it may be changed or cancelled, only once the caller
has shown it is theirs: the call comes from its phone number (a phone call's caller ID), they
said its confirmation code, or they said the name it is under. A phone number alone proves
nothing: anyone may know a regular's mobile number.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from core.models import Reservation

IdentityLevel = Literal["verified_number", "holds_code", "knows_name", "unverified"]
# Strongest first: the level a call is shown with in its handoff entities.
LEVELS: tuple[IdentityLevel, ...] = ("verified_number", "holds_code", "knows_name", "unverified")
# Failed lookups and wrong names allowed in one call, so a call cannot be used to try
# number after number.
MAX_FAILED_CHECKS = 3


def same_name(said: str, booked: str) -> bool:
    """Whether the caller said the name the booking is under.

    Case, spacing and accents do not matter ("mei-ling" is "Mei Ling", "Zoe" is "Zoë"), and the
    leading names alone are enough ("Mei" or "Mei Ling" for "Mei Ling Chua").
    """
    said_words, booked_words = _words(said), _words(booked)
    if not said_words:
        return False
    if "".join(said_words) == "".join(booked_words):
        return True
    return booked_words[: len(said_words)] == said_words


def _words(name: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return letters.split()


@dataclass
class CallerIdentity:
    """What this call has proven, and how often it has failed to."""

    # Confirmation code -> how the caller showed the booking is theirs.
    proven: dict[str, IdentityLevel] = field(default_factory=dict)
    failed_checks: int = 0

    def level_for(self, reservation: Reservation, caller_number: str | None) -> IdentityLevel:
        if caller_number is not None and reservation.phone_number == caller_number:
            return "verified_number"
        return self.proven.get(reservation.confirmation_code, "unverified")

    def prove(self, reservation: Reservation, how: IdentityLevel) -> None:
        known = self.proven.get(reservation.confirmation_code, "unverified")
        if LEVELS.index(how) < LEVELS.index(known):
            self.proven[reservation.confirmation_code] = how

    def fail(self) -> None:
        self.failed_checks += 1

    @property
    def exhausted(self) -> bool:
        return self.failed_checks >= MAX_FAILED_CHECKS

    def strongest(self, caller_number: str | None) -> IdentityLevel:
        """The best this call has shown, for logs and analytics."""
        if caller_number is not None:
            return "verified_number"
        return min(self.proven.values(), key=LEVELS.index, default="unverified")
