"""Who the caller is: the name rule, and what a call has proven."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from agent.call.identity import MAX_FAILED_CHECKS, CallerIdentity, same_name
from core.models import Reservation


@pytest.mark.parametrize(
    ("said", "booked"),
    [
        ("Mei Ling Chua", "Mei Ling Chua"),
        ("mei ling chua", "Mei Ling Chua"),
        ("MeiLing Chua", "Mei Ling Chua"),
        ("mei-ling chua.", "Mei Ling Chua"),
        ("Chua Mei Ling", "Mei Ling Chua"),  # surname first: every name is still there
        ("Zoe Adams", "Zoë Adams"),
        ("  JOSÉ  garcía ", "Jose Garcia"),
        ("mr tan", "Mr. Tan"),
        ("STRASSE", "Straße"),
    ],
)
def test_the_name_matches(said: str, booked: str) -> None:
    assert same_name(said, booked)


@pytest.mark.parametrize(
    ("said", "booked"),
    [
        ("Chua", "Mei Ling Chua"),  # a surname alone is not the name it is under
        ("Ling", "Mei Ling Chua"),
        ("Mei", "Mei Ling Chua"),  # nor the first name, nor the leading names
        ("Mei Ling", "Mei Ling Chua"),
        ("Mr", "Mr Tan"),  # nor a title
        ("Tan", "Mr Tan"),
        ("Mei Ling Tan", "Mei Ling Chua"),
        ("Me", "Mei Ling Chua"),  # part of a word is not a name
        ("", "Mei Ling Chua"),
        ("...", "Mei Ling Chua"),
        ("John Smith", "Mei Ling Chua"),
    ],
)
def test_the_name_does_not_match(said: str, booked: str) -> None:
    assert not same_name(said, booked)


def booking(code: str, phone: str = "+6598207272") -> Reservation:
    stamp = datetime(2026, 11, 24, tzinfo=UTC)
    return Reservation(
        id=1,
        confirmation_code=code,
        phone_number=phone,
        name="Mei Ling",
        reservation_date=date(2026, 11, 28),
        reservation_time=time(19),
        party_size=4,
        other_info={},
        status="confirmed",
        session_id=None,
        created_at=stamp,
        updated_at=stamp,
    )


def test_a_proof_holds_for_its_booking_only_and_the_stronger_one_wins() -> None:
    identity, mine, other = CallerIdentity(), booking("AAAAAA"), booking("BBBBBB")
    identity.prove(mine, "knows_name")
    identity.prove(mine, "holds_code")
    identity.prove(mine, "knows_name")
    assert identity.level_for(mine, None) == "holds_code"
    assert identity.level_for(other, None) == "unverified"
    assert identity.strongest(None) == "holds_code"


def test_an_attested_number_proves_bookings_under_that_number_only() -> None:
    identity = CallerIdentity()
    assert identity.level_for(booking("AAAAAA"), "+6598207272") == "attested_number"
    assert identity.level_for(booking("BBBBBB", "+6581112222"), "+6598207272") == "unverified"
    assert identity.strongest("+6598207272") == "attested_number"
    assert identity.strongest(None) == "unverified"


def test_failed_checks_run_out() -> None:
    identity = CallerIdentity()
    for _ in range(MAX_FAILED_CHECKS - 1):
        identity.fail()
    assert not identity.exhausted
    identity.fail()
    assert identity.exhausted
