"""The restaurant's configuration: identity, opening hours, booking rules and facts."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import StartupError

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Service(_Frozen):
    """One sitting of a day, e.g. lunch 11:30-14:30."""

    service: str
    opens: time
    closes: time

    @model_validator(mode="after")
    def _opens_before_closing(self) -> Service:
        # Services past midnight would need bookings that span two dates; none of our
        # restaurants do that, so the configuration rejects it rather than mis-counting covers.
        if self.opens >= self.closes:
            raise ValueError(f"{self.service}: opens must be before closes, on the same day")
        return self


class Identity(_Frozen):
    name: str
    address: str
    phone: str
    timezone: str = "Asia/Singapore"
    directions: str = ""
    parking: str = ""
    callback_promise: str = "as soon as possible"


class BookingRules(_Frozen):
    slot_minutes: int = Field(default=15, ge=5, le=120)
    dining_minutes: int = Field(default=90, ge=15, le=480)
    capacity_covers: int = Field(ge=1, le=10_000)
    max_party_size: int = Field(ge=1, le=100)
    min_notice_minutes: int = Field(default=60, ge=0)
    max_days_ahead: int = Field(default=60, ge=1, le=730)
    closed_dates: frozenset[date] = frozenset()

    @property
    def dining(self) -> timedelta:
        return timedelta(minutes=self.dining_minutes)


class Facts(_Frozen):
    """What the information agent answers from."""

    cuisine: str = ""
    menu_highlights: tuple[str, ...] = ()
    dietary: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    payment: str = ""


class Restaurant(_Frozen):
    restaurant: Identity
    booking: BookingRules
    hours: dict[Weekday, tuple[Service, ...]] = Field(default_factory=dict)
    info: Facts = Facts()

    @model_validator(mode="after")
    def _valid_timezone(self) -> Restaurant:
        ZoneInfo(self.restaurant.timezone)
        return self

    @property
    def name(self) -> str:
        return self.restaurant.name

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.restaurant.timezone)

    def local_now(self, now: datetime) -> datetime:
        """`now` as a naive local wall-clock time, the way reservations are stored."""
        return now.astimezone(self.tz).replace(tzinfo=None)

    def services_on(self, day: date) -> tuple[Service, ...]:
        """The services open on a date; none on closed dates."""
        if day in self.booking.closed_dates:
            return ()
        return self.hours.get(WEEKDAYS[day.weekday()], ())

    def describe_hours(self, weekday: Weekday) -> str:
        """Opening hours of a weekday as a short sentence."""
        services = self.hours.get(weekday, ())
        if not services:
            return f"closed on {weekday.capitalize()}s"
        spans = ", ".join(f"{s.service} {s.opens:%H:%M} to {s.closes:%H:%M}" for s in services)
        return f"open on {weekday.capitalize()}s for {spans}"


def load_restaurant(path: Path) -> Restaurant:
    """Read and validate the restaurant file; a mistake in it is reported with its location."""
    try:
        with path.open("rb") as file:
            return Restaurant.model_validate(tomllib.load(file))
    except OSError as exc:
        raise StartupError(f"Cannot read the restaurant file {path}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise StartupError(f"{path} is not valid TOML: {exc}.") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or 'the file'}: {error['msg']}"
            for error in exc.errors(include_url=False)
        )
        raise StartupError(f"{path} needs fixing: {problems}.") from None
