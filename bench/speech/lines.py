"""Caller answers as people say them, with the value each means: the speech corpus's script.

Dates are day and month only, and the value is "MM-DD": which year they fall in depends on the
day the corpus is read, and is the date rules' business (tests/unit/test_entities.py).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Kind = Literal["phone", "time", "date", "party_size", "yes_no"]


class Line(NamedTuple):
    said: str
    kind: Kind
    # E.164, "HH:MM", "MM-DD", a count, or "yes"/"no".
    value: str


LINES = [
    Line("eight one two three, four five six seven", "phone", "+6581234567"),
    Line("double eight, one two, three four, five six", "phone", "+6588123456"),
    Line("nine one one two, two two three three", "phone", "+6591122233"),
    Line("nine eight two zero, seven two seven two", "phone", "+6598207272"),
    Line("It's nine eight two zero, seven two seven two.", "phone", "+6598207272"),
    Line("My number is six one two three, four five six seven.", "phone", "+6561234567"),
    Line("nine seven three one, double four, zero eight", "phone", "+6597314408"),
    Line("plus six five, nine one two three, four five six seven", "phone", "+6591234567"),
    Line("eight eight eight two, one zero one zero", "phone", "+6588821010"),
    Line("nine three five five, six one eight two", "phone", "+6593556182"),
    Line("six six one, two nine, eight four zero", "phone", "+6566129840"),
    Line("Seven thirty pm.", "time", "19:30"),
    Line("Half past seven.", "time", "19:30"),
    Line("Eight p m.", "time", "20:00"),
    Line("At seven o'clock in the evening.", "time", "19:00"),
    Line("Quarter to eight.", "time", "19:45"),
    Line("Around eight thirty.", "time", "20:30"),
    Line("Twelve noon.", "time", "12:00"),
    Line("Six fifteen in the evening.", "time", "18:15"),
    Line("The twenty fifth of December.", "date", "12-25"),
    Line("December the twenty fifth.", "date", "12-25"),
    Line("On the third of January.", "date", "01-03"),
    Line("Fourteenth of February.", "date", "02-14"),
    Line("The first of March.", "date", "03-01"),
    Line("Four people.", "party_size", "4"),
    Line("Two adults and two kids.", "party_size", "4"),
    Line("A table for two.", "party_size", "2"),
    Line("Six of us.", "party_size", "6"),
    Line("Just me.", "party_size", "1"),
    Line("For four people, please.", "party_size", "4"),
    Line("Two people.", "party_size", "2"),
    Line("Three adults and one child.", "party_size", "4"),
    Line("Eight.", "party_size", "8"),
    Line("Yes, that's right.", "yes_no", "yes"),
    Line("Yes please.", "yes_no", "yes"),
    Line("No.", "yes_no", "no"),
    Line("That's correct.", "yes_no", "yes"),
    Line("No, that's wrong.", "yes_no", "no"),
]
