"""The restaurant's configuration: identity, opening hours, booking rules and facts."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import InvalidValue, StartupError
from core.spoken.phones import is_known_region, normalize_phone
from core.spoken.text import say_time

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
    # IANA time zone: what "today" and "7 pm" mean, e.g. "Asia/Singapore".
    timezone: str
    directions: str = ""
    parking: str = ""
    callback_promise: str = "as soon as possible"


class Locale(_Frozen):
    """How callers in the restaurant's country say numbers and dates, and in which languages."""

    # ISO 3166 country of phone numbers said without a country code.
    phone_region: str
    # How a numeric date such as 2/1 is read: the 2nd of January (day_first) or February 1st.
    date_order: Literal["day_first", "month_first"]
    # The languages callers may speak; the agents answer in the caller's.
    languages: tuple[str, ...] = Field(min_length=1)

    @field_validator("phone_region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if not is_known_region(region):
            raise ValueError(f"{region!r} is not an ISO 3166 country code, such as SG or GB")
        return region


class BookingRules(_Frozen):
    slot_minutes: int = Field(default=15, ge=5, le=120)
    dining_minutes: int = Field(default=90, ge=15, le=480)
    capacity_covers: int = Field(ge=1, le=10_000)
    max_party_size: int = Field(ge=1, le=100)
    min_notice_minutes: int = Field(default=60, ge=0)
    max_days_ahead: int = Field(default=60, ge=1, le=730)
    closed_dates: frozenset[date] = frozenset()
    # Who arranges groups above max_party_size, said after the limit itself.
    large_groups: str = "Larger groups are arranged with our staff."

    @property
    def dining(self) -> timedelta:
        return timedelta(minutes=self.dining_minutes)

    @property
    def party_limit(self) -> str:
        """The large-group rule, in the one wording callers and staff hear."""
        return f"We book tables for up to {self.max_party_size} guests. {self.large_groups}"


class Retention(_Frozen):
    """How long personal data is kept before the purge anonymises it (the rows stay)."""

    # Days after the visit: a reservation's name, phone number and notes.
    reservation_days: int = Field(ge=1, le=3650)
    # Days after the callback was resolved: the caller's name, number and message.
    escalation_days: int = Field(ge=1, le=3650)
    # Days after the handoff: what the caller had said (masked) when handed on.
    handoff_days: int = Field(ge=1, le=3650)
    # Days after the call: its transcript and caller ID. A default, so that a restaurant file
    # written before calls were recorded still loads.
    transcript_days: int = Field(default=30, ge=1, le=3650)


class Facts(_Frozen):
    """What the information agent answers from."""

    cuisine: str = ""
    menu_highlights: tuple[str, ...] = ()
    dietary: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    payment: str = ""


class Staff(_Frozen):
    """Who takes a phone caller the agent puts through: one line during service, optionally
    another (a manager's mobile) after hours; none means the agent takes a message."""

    # An international number ("+65 6221 4780") or a SIP address ("sip:host@pbx.example.com").
    during_service: str | None = None
    after_hours: str | None = None

    @field_validator("during_service", "after_hours")
    @classmethod
    def _dialable(cls, value: str | None) -> str | None:
        if value is None or value.startswith(("sip:", "sips:")):
            return value
        if not value.startswith("+"):
            raise ValueError("give the number with its country code (+65 ...) or a sip: address")
        try:
            # The region is never used: the number carries its own country code.
            return normalize_phone(value, "SG")
        except InvalidValue:
            raise ValueError(f"{value!r} is not a valid phone number") from None


class Restaurant(_Frozen):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    # `[restaurant]` in the file: who the restaurant is (name, address, phone, time zone).
    identity: Identity = Field(alias="restaurant")
    locale: Locale
    booking: BookingRules
    retention: Retention
    hours: dict[Weekday, tuple[Service, ...]] = Field(default_factory=dict)
    info: Facts = Facts()
    staff: Staff = Staff()

    @model_validator(mode="after")
    def _valid_timezone(self) -> Restaurant:
        ZoneInfo(self.identity.timezone)
        return self

    @property
    def name(self) -> str:
        return self.identity.name

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.identity.timezone)

    @cached_property
    def service_spans(self) -> tuple[tuple[time, time], ...]:
        """Every (opens, closes) of the week, for reading "seven" as 7 pm in a dinner place."""
        return tuple(sorted({(s.opens, s.closes) for day in self.hours.values() for s in day}))

    def spans_on(self, day: date | None) -> tuple[tuple[time, time], ...]:
        """The (opens, closes) of that day's services, for reading "half ten" on a Sunday of
        brunch as 10:30; the whole week's when the day is not known yet or is closed."""
        services = self.services_on(day) if day is not None else ()
        return tuple((s.opens, s.closes) for s in services) or self.service_spans

    def local_now(self, now: datetime) -> datetime:
        """`now` as a naive local wall-clock time, the way reservations are stored."""
        return now.astimezone(self.tz).replace(tzinfo=None)

    def services_on(self, day: date) -> tuple[Service, ...]:
        """The services open on a date; none on closed dates."""
        if day in self.booking.closed_dates:
            return ()
        return self.hours.get(WEEKDAYS[day.weekday()], ())

    def staff_line(self, now: datetime) -> str | None:
        """Where to transfer a phone caller now, as a SIP REFER target; None: take a message."""
        local = self.local_now(now)
        serving = any(s.opens <= local.time() < s.closes for s in self.services_on(local.date()))
        line = self.staff.during_service if serving else self.staff.after_hours
        if line is None or line.startswith(("sip:", "sips:")):
            return line
        return f"tel:{line}"

    def describe_hours(self, weekday: Weekday) -> str:
        """Opening hours of a weekday as a short sentence."""
        services = self.hours.get(weekday, ())
        if not services:
            return f"closed on {weekday.capitalize()}s"
        spans = ", ".join(
            f"{s.service} {say_time(s.opens)} to {say_time(s.closes)}" for s in services
        )
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
