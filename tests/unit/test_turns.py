"""What the agent asked for, and how patient to be for the answer (agent/turns/endpointing.py)."""

from __future__ import annotations

import pytest

from agent.turns.endpointing import (
    PATIENCE,
    AnswerKind,
    TurnDelays,
    asked_for,
    kind_of_detail,
    wait_for,
)
from core.settings import Settings
from core.spoken.phones import is_partial_phone


@pytest.mark.parametrize(
    ("spoken", "kind"),
    [
        ("What's your phone number?", "phone"),
        ("Thanks, Mei Ling. And the best number to reach you on?", "phone"),
        ("Could I have a contact number?", "phone"),
        ("Could I have your name, please?", "name"),
        ("What name should I put the booking under?", "name"),
        ("Which day would you like?", "datetime"),
        ("Lovely. What time would you like to come?", "datetime"),
        ("How many people will be joining?", "party_size"),
        ("And the number of guests?", "party_size"),
        ("I have a table for four on Saturday at 7 pm under Mei Ling. Shall I book it?", "yes_no"),
        ("Is that right?", "yes_no"),
        ("Would you like me to book it?", "yes_no"),
        ("You're booked. Is there anything else I can help with?", "free_text"),
        ("Thank you for calling. How can I help?", "free_text"),
        # Several values at once: the most patient of them decides.
        ("What name and phone number should I use?", "phone"),
        ("What time, and for how many people?", "datetime"),
    ],
)
def test_the_last_question_says_what_was_asked(spoken: str, kind: AnswerKind) -> None:
    assert asked_for(spoken) == kind


@pytest.mark.parametrize(
    "spoken",
    [
        "One moment while I check.",
        "",
        # A phone number read back in a statement is not a question about one.
        "I have your number as nine eight two zero seven two seven two.",
        # Not English: the tool's declaration decides instead.
        "Boleh saya tahu nombor telefon anda?",
    ],
)
def test_words_that_ask_nothing_recognisable_say_nothing(spoken: str) -> None:
    assert asked_for(spoken) is None


def test_numbers_names_and_dates_are_patient_and_yes_or_no_is_quick() -> None:
    assert {k for k, p in PATIENCE.items() if p == "patient"} == {"phone", "name", "datetime"}
    assert PATIENCE["yes_no"] == "quick"
    for kind in PATIENCE:
        assert wait_for(kind, None, region="SG").patience == PATIENCE[kind]


@pytest.mark.parametrize(
    ("kind", "heard", "patience", "reason"),
    [
        # Fewer digits than a Singapore number has: the caller is reading it out in groups.
        ("phone", "nine eight two zero", "hold", "partial_phone"),
        ("phone", "My number is 9123", "hold", "partial_phone"),
        ("phone", "plus six five", "hold", "partial_phone"),
        ("phone", "nine eight two zero seven two seven two", "quick", "whole_phone"),
        ("phone", "+65 9820 7272.", "quick", "whole_phone"),
        ("phone", "sorry, which number?", "patient", "asked_phone"),
        # A last word that promises more, whatever was asked.
        ("datetime", "a table for four on", "hold", "trailing_word"),
        ("datetime", "at um", "hold", "trailing_word"),
        ("name", "my name is", "hold", "trailing_word"),
        ("free_text", "I'd like to book a table for", "hold", "trailing_word"),
        ("yes_no", "yes and", "hold", "trailing_word"),
        # A name gives no sign of being finished: patient.
        ("name", "John", "patient", "asked_name"),
        ("datetime", "next Friday", "patient", "asked_datetime"),
        ("datetime", "next Friday at half past seven", "quick", "time_said"),
        # Seen over WebRTC on a busy machine: the VAD's segment ended inside the time.
        ("datetime", "next Friday at half", "patient", "asked_datetime"),
        ("datetime", "at quarter past", "hold", "trailing_word"),
        ("datetime", "tomorrow at eight pm", "quick", "time_said"),
        ("datetime", "Tomorrow at 7:30.", "quick", "time_said"),
        ("datetime", "quarter to eight", "quick", "time_said"),
        ("datetime", "noon", "quick", "time_said"),
        # An hour alone may go on ("... thirty", "... pm"): the default, not the quick delay.
        ("datetime", "tomorrow at eight", "default", "hour_said"),
        ("datetime", "at um 8", "default", "hour_said"),
        ("datetime", "eight", "default", "hour_said"),
        # A number alone that is no time.
        ("datetime", "Saturday, a table for four", "patient", "asked_datetime"),
        ("party_size", "six people", "quick", "party_said"),
        ("party_size", "four", "quick", "party_said"),
        ("yes_no", "Yes please, book it.", "quick", "yes_or_no"),
        ("yes_no", "no thanks", "quick", "yes_or_no"),
        # Not a yes or a no: the caller may go on, so no hurry.
        ("yes_no", "actually could we make it eight", "default", "not_yes_or_no"),
    ],
)
def test_what_was_heard_holds_the_turn_or_ends_it_sooner(
    kind: AnswerKind, heard: str, patience: str, reason: str
) -> None:
    wait = wait_for(kind, heard, region="SG")
    assert (wait.patience, wait.reason) == (patience, reason)


def test_a_number_is_partial_by_the_restaurants_country() -> None:
    # 7 digits is half a Singapore number but a whole one nowhere; a UK number is longer.
    assert is_partial_phone("9123 456", "SG")
    assert not is_partial_phone("9123 4567", "SG")
    assert is_partial_phone("020 7946", "GB")
    assert not is_partial_phone("020 7946 0958", "GB")
    assert not is_partial_phone("John Smith", "SG")
    assert not is_partial_phone("", "SG")


def test_missing_details_name_the_kind_of_answer() -> None:
    assert [kind_of_detail(d) for d in ["name", "phone number", "date", "time", "party size"]] == [
        "name",
        "phone",
        "datetime",
        "datetime",
        "party_size",
    ]


def test_the_delays_come_from_settings_and_must_be_in_order() -> None:
    delays = TurnDelays.from_settings(Settings(turn_quick_seconds=0.2, turn_hold_seconds=2.5))
    assert (delays.of("quick"), delays.of("hold")) == (0.2, 2.5)
    with pytest.raises(ValueError, match="TURN_QUICK_SECONDS <= TURN_DEFAULT_SECONDS"):
        Settings(turn_quick_seconds=1.0, turn_default_seconds=0.5)
    with pytest.raises(ValueError, match="audio-eot needs VAD_MIN_SILENCE_SECONDS of 0.25"):
        Settings(turn_detector="audio-eot", vad_min_silence_seconds=0.2)
