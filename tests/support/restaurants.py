"""Restaurants for the tests: the sample restaurant.toml's text, to edit, and a restaurant where
it is midday now: open every day, so tests against the real clock (the API's, the staff page's)
can seat walk-ins and book tonight whenever they run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.settings import PROJECT_ROOT

SAMPLE_RESTAURANT = (PROJECT_ROOT / "restaurant.toml").read_text()

HOURS = "".join(
    f"""
[[hours.{day}]]
service = "lunch"
opens = "11:00"
closes = "15:00"
[[hours.{day}]]
service = "dinner"
opens = "17:00"
closes = "23:00"
"""
    for day in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)


def midday_zone(now: datetime | None = None) -> str:
    """A fixed-offset time zone in which it is now between 12:00 and 12:59."""
    offset = 12 - (now or datetime.now(UTC)).hour  # local = UTC + offset, from -11 to +12
    # POSIX-style names: Etc/GMT-5 is five hours ahead of UTC.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def midday_restaurant(folder: Path) -> Path:
    """The sample restaurant, moved to a midday time zone and open for lunch and dinner daily."""
    head, rest = SAMPLE_RESTAURANT.split("# Services per weekday", 1)
    info = rest[rest.index("[info]") :]
    text = (
        head.replace('timezone = "Asia/Singapore"', f'timezone = "{midday_zone()}"').replace(
            'closed_dates = ["2026-12-25", "2027-01-01", "2027-02-06", "2027-02-07"]',
            "closed_dates = []",
        )
        + HOURS
        + "\n"
        + info
    )
    assert "Asia/Singapore" not in text and "closed_dates = []" in text
    path = folder / "restaurant.toml"
    path.write_text(text)
    return path
