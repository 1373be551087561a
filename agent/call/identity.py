"""Who the caller has shown themselves to be, booking by booking: what they may hear and change.

A booking's details reach the model, and it may be changed or cancelled, only once the caller
has shown it is theirs: they said its confirmation code, they said the whole name it is under,
or the call comes from its phone number *and* the carrier attested that number (only with
TRUST_CALLER_ID=attested; agent/phone/attestation.py). Caller ID alone proves nothing: anyone
can put any number in a SIP From header, and anyone may know a regular's mobile number.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from core.models import Reservation

IdentityLevel = Literal["attested_number", "holds_code", "knows_name", "unverified"]
# Strongest first: the level a call is shown with in its handoff entities.
LEVELS: tuple[IdentityLevel, ...] = ("attested_number", "holds_code", "knows_name", "unverified")
# Failed lookups and wrong names allowed in one call, so a call cannot be used to try
# number after number; failures against one booking also count across calls, in the database
# (core/services/proofs.py).
MAX_FAILED_CHECKS = 3


def same_name(said: str, booked: str) -> bool:
    """Whether the caller said the whole name the booking is under.

    Case, accents, spacing and punctuation do not matter ("mei-ling chua" is "Mei Ling Chua",
    "Zoe" is "Zoë"), nor does the order of the names ("Chua Mei Ling"); every name must be
    there. A part of it is not enough: "Mei" for "Mei Ling Chua", or "Mr" for "Mr Tan", is
    what a stranger could guess.
    """
    said_words, booked_words = _words(said), _words(booked)
    if not said_words:
        return False
    return "".join(said_words) == "".join(booked_words) or sorted(said_words) == sorted(
        booked_words
    )


# Said before a surname ("Mrs Lim", "Encik Ahmad"): not a name of the caller's own.
_TITLES = frozenset(
    "mr mrs ms miss mdm madam mister missus dr doctor sir dame prof encik puan cik tuan".split()
)


def one_name_only(said: str) -> bool:
    """Whether the caller said one name at most, titles aside ("Lim", "Mrs Lim", "Mr"): too
    little to show a booking is theirs, whatever the booking's name. Decided on what was said
    alone, so the answer tells nothing about the name on the booking."""
    return len([word for word in _words(said) if word not in _TITLES]) <= 1


def _words(name: str) -> list[str]:
    # NFKD splits accented letters into the letter and its accent, which is then dropped;
    # casefold after it, so "ß" and "SS" meet.
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(
        c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c)
    ).casefold()
    return letters.split()


@dataclass
class CallerIdentity:
    """What this call has proven, and how often it has failed to."""

    # Confirmation code -> how the caller showed the booking is theirs.
    proven: dict[str, IdentityLevel] = field(default_factory=dict)
    failed_checks: int = 0
    # Names said that were one name only ("Lim"): the first is asked again, not a failure.
    one_names: int = 0

    def level_for(self, reservation: Reservation, attested_number: str | None) -> IdentityLevel:
        """How far the caller has shown this booking is theirs; `attested_number` is the call's
        caller ID only when the carrier attested it and the operator trusts that."""
        if attested_number is not None and reservation.phone_number == attested_number:
            return "attested_number"
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

    def strongest(self, attested_number: str | None) -> IdentityLevel:
        """The best this call has shown, for logs and analytics."""
        if attested_number is not None:
            return "attested_number"
        return min(self.proven.values(), key=LEVELS.index, default="unverified")
