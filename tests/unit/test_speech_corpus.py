"""What a real recognizer writes, read as the booking tools and the turn rules read it.

The corpus (tests/unit/data/speech_corpus.json) is caller lines spoken by the Piper voice
en_US-joe-medium and written down by Whisper tiny.en, both from the packages that ship them;
`uv run python -m bench.speech.make_corpus` makes it again (a few borderline words come out
differently from run to run, so the file is one run, kept). Every value heard whole must be read
right, and one the recognizer lost part of must be asked for again, never read as another value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.turns.endpointing import AnswerKind, wait_for
from core.restaurant import Restaurant
from core.spoken.details import read_details
from tests.support.days import NOW

CORPUS = json.loads((Path(__file__).parent / "data" / "speech_corpus.json").read_text())
LINES: list[dict[str, str]] = CORPUS["lines"]
# What Whisper got wrong on the way ("six six one, two nine, eight four zero" with a digit
# added, "six of us" as "it takes a bus", "three" as "free"): these must be asked for again.
LOST = {"661-29-8400.", "It takes a bus.", "Free the adults in one child."}
FIELDS = {"phone": "phone", "time": "time", "date": "date", "party_size": "party_size"}
TURN_KIND: dict[str, AnswerKind] = {
    "phone": "phone",
    "time": "datetime",
    "party_size": "party_size",
    "yes_no": "yes_no",
}


def _value(field: str, value: Any) -> str:
    if field == "time":
        return str(value.strftime("%H:%M"))
    if field == "date":
        return str(value.strftime("%m-%d"))
    return str(value)


def _ids(lines: list[dict[str, str]]) -> list[str]:
    return [line["heard"] for line in lines]


VALUES = [line for line in LINES if line["kind"] in FIELDS]


def test_the_corpus_names_its_voice_and_recognizer() -> None:
    assert (CORPUS["voice"], CORPUS["recognizer"]) == ("en_US-joe-medium", "tiny.en")
    assert {line["heard"] for line in LINES} >= LOST


@pytest.mark.parametrize("line", VALUES, ids=_ids(VALUES))
def test_the_booking_tools_read_what_was_heard(
    line: dict[str, str], restaurant: Restaurant
) -> None:
    field = FIELDS[line["kind"]]
    details = read_details(restaurant, NOW, None, **{field: line["heard"]})
    if line["heard"] in LOST:
        assert getattr(details, field) is None and details.unclear
        return
    assert details.unclear == []
    assert _value(field, getattr(details, field)) == line["value"]


TURNS = [line for line in LINES if line["kind"] in TURN_KIND and line["heard"] not in LOST]


@pytest.mark.parametrize("line", TURNS, ids=_ids(TURNS))
def test_the_turn_rules_end_a_whole_answer_quickly(line: dict[str, str]) -> None:
    wait = wait_for(TURN_KIND[line["kind"]], line["heard"], region="SG")
    assert wait.patience == "quick", wait.reason


PHONES = [line for line in TURNS if line["kind"] == "phone" and "," in line["heard"]]


@pytest.mark.parametrize("line", PHONES, ids=_ids(PHONES))
def test_the_first_group_of_a_number_holds_the_turn(line: dict[str, str]) -> None:
    first = line["heard"].split(",")[0] + ","
    assert wait_for("phone", first, region="SG").patience == "hold"


def test_a_number_with_a_digit_lost_is_not_taken_as_whole(restaurant: Restaurant) -> None:
    # "It's 9820 7272." spoken as a quantity came back with seven digits.
    heard = "It's 9,827,272."
    assert wait_for("phone", heard, region="SG").patience != "quick"
    assert read_details(restaurant, NOW, phone=heard).unclear == ["phone number"]


# Written by the same recognizer in other runs (issue 23): the forms, not the corpus's lines.
@pytest.mark.parametrize(
    ("field", "heard", "value"),
    [
        ("phone", "8123 4567", "+6581234567"),
        ("phone", "Double 8, 1-2, 3-4, 5-6.", "+6588123456"),
        ("phone", "9-1-1-2, 2-2-3-3.", "+6591122233"),
        ("phone", "9-8-20, 7-2-7-2.", "+6598207272"),
        ("phone", "9a20 7272", "+6598207272"),
        ("time", "7.30pm", "19:30"),
        ("time", "8 p.m.", "20:00"),
        ("time", "half past 7", "19:30"),
        ("time", "Half pass 7.", "19:30"),
        ("time", "Round 8-30.", "20:30"),
        ("date", "25th December", "12-25"),
        ("date", "the first of March.", "03-01"),
        ("party_size", "for people.", "4"),
        ("party_size", "to adults and two kids.", "4"),
        ("party_size", "for four people, please.", "4"),
    ],
)
def test_recognizer_forms(field: str, heard: str, value: str, restaurant: Restaurant) -> None:
    details = read_details(restaurant, NOW, None, **{field: heard})
    assert details.unclear == []
    assert _value(field, getattr(details, field)) == value
