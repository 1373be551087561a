"""Unit tests for core.rules.transitions: which status changes staff may make, and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from core.models import EscalationStatus, Reservation, ReservationStatus
from core.rules.transitions import (
    ESCALATION_MOVES,
    RESERVATION_MOVES,
    escalation_move_problem,
    reservation_move_problem,
)

DAY = date(2026, 11, 28)
AT = time(19, 0)


def booking(status: ReservationStatus, day: date = DAY, at: time = AT) -> Reservation:
    stamp = datetime(2026, 11, 20, tzinfo=UTC)
    return Reservation(
        id=1,
        confirmation_code="HRZT1N",
        phone_number="+6598207272",
        name="Mei Ling",
        reservation_date=day,
        reservation_time=at,
        party_size=4,
        other_info={},
        status=status,
        session_id=None,
        created_at=stamp,
        updated_at=stamp,
    )


BEFORE = datetime.combine(DAY, time(17, 0))
AFTER = datetime.combine(DAY, time(19, 20))
DAY_BEFORE = datetime(2026, 11, 27, 21, 0)


@pytest.mark.parametrize(
    ("current", "target", "now"),
    [
        ("confirmed", "seated", BEFORE),  # early guests, on the day
        ("confirmed", "seated", AFTER),
        ("confirmed", "no_show", AFTER),
        ("confirmed", "cancelled", DAY_BEFORE),
        ("confirmed", "cancelled", AFTER),
        ("seated", "completed", AFTER),
        ("cancelled", "confirmed", BEFORE),  # undoing a mistaken cancellation
    ],
)
def test_allowed_moves(
    current: ReservationStatus, target: ReservationStatus, now: datetime
) -> None:
    assert reservation_move_problem(booking(current), target, now) is None


@pytest.mark.parametrize(
    ("current", "target", "now", "problem"),
    [
        ("confirmed", "seated", DAY_BEFORE, "is for Saturday 28 November; seat guests on the day"),
        ("confirmed", "no_show", BEFORE, "once that time has passed"),
        ("cancelled", "confirmed", AFTER, "time has passed, so it can't be confirmed again"),
        ("no_show", "confirmed", AFTER, "time has passed, so it can't be confirmed again"),
        ("seated", "cancelled", AFTER, "This booking is seated, so it can't be marked cancelled."),
        ("seated", "no_show", AFTER, "is seated, so it can't be marked a no-show"),
        ("completed", "seated", AFTER, "is completed, so it can't be marked seated"),
        ("cancelled", "seated", BEFORE, "is cancelled, so it can't be marked seated"),
        ("no_show", "seated", AFTER, "is a no-show, so it can't be marked seated"),
    ],
)
def test_refused_moves_say_why(
    current: ReservationStatus, target: ReservationStatus, now: datetime, problem: str
) -> None:
    found = reservation_move_problem(booking(current), target, now)
    assert found is not None and problem in found


def test_every_status_has_its_moves_listed() -> None:
    assert set(RESERVATION_MOVES) == set(ReservationStatus.__args__)  # type: ignore[attr-defined]
    assert set(ESCALATION_MOVES) == set(EscalationStatus.__args__)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("current", "target", "problem"),
    [
        ("open", "in_progress", None),
        ("open", "resolved", None),
        ("in_progress", "resolved", None),
        ("open", "open", "This callback is already open."),
        ("in_progress", "in_progress", "This callback is already in progress."),
        ("resolved", "resolved", "This callback is already resolved."),
        ("in_progress", "open", "This callback is in progress, so it can't be moved back to open."),
        ("resolved", "open", "This callback is resolved, so it can't be moved back to open."),
        (
            "resolved",
            "in_progress",
            "This callback is resolved, so it can't be moved back to in progress.",
        ),
    ],
)
def test_callback_moves(
    current: EscalationStatus, target: EscalationStatus, problem: str | None
) -> None:
    assert escalation_move_problem(current, target) == problem
