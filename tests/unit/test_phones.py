"""Unit tests for core.spoken.phones: phone numbers as callers say them and staff type them."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.spoken.phones import InvalidPhone, mask_phone, normalize_phone

_SAID = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 +-/.:()", max_size=20),
    st.lists(
        st.sampled_from(
            "one two six seven nine eight zero oh double triple plus four 20 9820 7272 my "
            "number is it's call me at , -".split()
        ),
        max_size=8,
    ).map(" ".join),
)


# --- phone numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9820 7272", "+6598207272"),
        ("98207272", "+6598207272"),
        ("+65 9820 7272", "+6598207272"),
        ("+6598207272", "+6598207272"),
        ("+65-9820-7272", "+6598207272"),
        ("65 9820 7272", "+6598207272"),
        ("6598207272", "+6598207272"),
        ("(65) 8123 4567", "+6581234567"),
        ("8123-4567", "+6581234567"),
        ("8123.4567", "+6581234567"),
        ("  8123 4567.  ", "+6581234567"),
        ("6123 4567", "+6561234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 415 555 2671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("nine eight two zero seven two seven two", "+6598207272"),
        ("Nine eight two zero, seven two seven two.", "+6598207272"),
        ("plus six five nine eight two zero seven two seven two", "+6598207272"),
        ("9820 seven two seven two", "+6598207272"),
        ("eight one two three four five six seven", "+6581234567"),
        ("eight one two three four five double six", "+6581234566"),
        ("eight one triple two four five six", "+6581222456"),
        # What callers say before the number.
        ("my number is 9820 7272", "+6598207272"),
        ("My number is 9820 7272.", "+6598207272"),
        ("it's 9820 7272", "+6598207272"),
        ("It’s 9820 7272", "+6598207272"),
        ("it is 9820 7272", "+6598207272"),
        ("that's 9820 7272", "+6598207272"),
        ("number is +65 9820 7272", "+6598207272"),
        ("the number is 9820 7272", "+6598207272"),
        ("my phone number is 9820 7272", "+6598207272"),
        ("my mobile number's 9820 7272", "+6598207272"),
        ("my handphone number is 9820 7272", "+6598207272"),
        ("my hp is 9820 7272", "+6598207272"),
        ("you can reach me at 8123 4567", "+6581234567"),
        ("you can call me on 8123 4567", "+6581234567"),
        ("reach me at 8123 4567", "+6581234567"),
        ("my number is nine eight two zero seven two seven two", "+6598207272"),
        ("it's plus four four 20 7946 0958", "+442079460958"),
    ],
)
def test_normalize_phone_accepts(raw: str, expected: str) -> None:
    assert normalize_phone(raw, "SG") == expected


def test_normalize_phone_reads_numbers_of_the_given_region() -> None:
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "hello",
        "123",
        "+65 1234 5678",
        "1234 5678",
        "9820727A",
        "98207272 ext 5",
        "1-800-FLOWERS",
        "+",
        "++6598207272",
        "9820 7272 9820 7272",
        "nine eight two",
        "double",
        "nine eight two zero seven two seven double",
        "+999 1234 5678",
        # Only a lead-in before the number is dropped, not just any words around it.
        "call 9820 7272 tomorrow",
        "9820 7272 is my number",
        "my name is 9820 7272",
        "number 9820 7272",
        "it's it's 9820 7272",
        "my number is",
        "it's",
        "my number is 9820 7272 ext 5",
        "9" * 300,
    ],
)
def test_normalize_phone_rejects(raw: str) -> None:
    with pytest.raises(InvalidPhone, match="phone number"):
        normalize_phone(raw, "SG")


@given(_SAID)
def test_normalize_phone_never_fails_unexpectedly(raw: str) -> None:
    try:
        result = normalize_phone(raw, "SG")
    except InvalidPhone:
        return
    assert phonenumbers.is_valid_number(phonenumbers.parse(result))


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("+6598207272", "+65******72"), ("+442079460958", "+44********58"), (None, None)],
)
def test_mask_phone(phone: str | None, masked: str | None) -> None:
    assert mask_phone(phone) == masked
