"""Which status changes staff may make to bookings and callbacks, and why not otherwise."""

from __future__ import annotations

from datetime import datetime

from core.models import EscalationStatus, Reservation, ReservationStatus

# Every change staff may make; the conditions on some are in reservation_move_problem.
RESERVATION_MOVES: dict[ReservationStatus, frozenset[ReservationStatus]] = {
    "confirmed": frozenset({"seated", "no_show", "cancelled"}),
    "seated": frozenset({"completed"}),
    # Undoing a mistaken cancellation or no-show, while the booking is still ahead.
    "cancelled": frozenset({"confirmed"}),
    "no_show": frozenset({"confirmed"}),
    "completed": frozenset(),
}

ESCALATION_MOVES: dict[EscalationStatus, frozenset[EscalationStatus]] = {
    "open": frozenset({"in_progress", "resolved"}),
    "in_progress": frozenset({"resolved"}),
    "resolved": frozenset(),
}

STATUS_WORDS: dict[str, str] = {
    "confirmed": "confirmed",
    "seated": "seated",
    "completed": "completed",
    "no_show": "a no-show",
    "cancelled": "cancelled",
    "open": "open",
    "in_progress": "in progress",
    "resolved": "resolved",
}


def reservation_move_problem(
    booking: Reservation, target: ReservationStatus, local_now: datetime
) -> str | None:
    """Why staff may not move `booking` to `target` now (local restaurant time), or None."""
    current = booking.status
    if target not in RESERVATION_MOVES[current]:
        return (
            f"This booking is {STATUS_WORDS[current]}, so it can't be marked "
            f"{STATUS_WORDS[target]}."
        )
    if target == "seated" and booking.reservation_date != local_now.date():
        return f"This booking is for {booking.reservation_date:%A %-d %B}; seat guests on the day."
    if target == "no_show" and booking.starts_at > local_now:
        return (
            f"This booking is for {booking.starts_at:%H:%M} on {booking.starts_at:%-d %B}; "
            "a no-show can be marked once that time has passed."
        )
    if target == "confirmed" and booking.starts_at <= local_now:
        return "This booking's time has passed, so it can't be confirmed again."
    return None


def escalation_move_problem(current: EscalationStatus, target: EscalationStatus) -> str | None:
    """Why a callback may not move from `current` to `target`, or None."""
    if target in ESCALATION_MOVES[current]:
        return None
    if current == target:
        return f"This callback is already {STATUS_WORDS[current]}."
    return (
        f"This callback is {STATUS_WORDS[current]}, so it can't be moved back to "
        f"{STATUS_WORDS[target]}."
    )
