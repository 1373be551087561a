"""Notices for staff: what the outbox holds, and the JSON body posted to STAFF_WEBHOOK_URL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from core.models import Escalation, EscalationBase, Reservation
from core.restaurant import Restaurant

EventType = Literal["escalation.created", "reservation.created", "reservation.cancelled"]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
# Callbacks are always announced; these only when STAFF_WEBHOOK_EVENTS names them.
ALWAYS: frozenset[EventType] = frozenset({"escalation.created"})


class OutboxNotice(BaseModel):
    """A claimed row of staff_outbox: the event and the row it announces, as it was."""

    model_config = ConfigDict(frozen=True)

    id: int
    event_id: UUID
    event_type: EventType
    subject: dict[str, Any]
    attempts: int
    created_at: datetime


# Names and numbers are typed as the records are, though a notice always has them: it copies
# its row when the row is written, and only old, finished rows are ever anonymised.
class EscalationBody(EscalationBase):
    created_at: datetime


class ReservationBody(BaseModel):
    confirmation_code: str
    name: str | None
    phone_number: str | None
    reservation_date: date
    reservation_time: str
    party_size: int
    other_info: dict[str, Any]
    status: str


class StaffNotice(BaseModel):
    """The webhook body (docs/notices.md). Slack and Teams incoming webhooks show
    `text`, made inert (`chat_text`); other receivers read the fields, which hold what callers
    said as they said it, and de-duplicate on `event_id`."""

    event_id: UUID
    type: EventType
    occurred_at: datetime
    restaurant: str
    text: str
    escalation: EscalationBody | None = None
    reservation: ReservationBody | None = None


def chat_text(text: str) -> str:
    """`text` shown as typed by Slack and Teams, whatever a caller put in it.

    Slack reads `&`, `<` and `>` as markup (`<!channel>` notifies everyone, `<https://x|Open>`
    is a link named anything): they become `&amp;`, `&lt;` and `&gt;`, Slack's own escaping
    (api.slack.com/reference/surfaces/formatting#escaping). Teams reads Markdown, where
    `[Open](https://x)` is a link and `![](https://x)` an image: a zero-width space between `]`
    and `(` leaves them text. Line breaks become spaces, so no text poses as a line of ours.
    """
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("](", "]\u200b(")


def staff_notice(notice: OutboxNotice, restaurant: Restaurant) -> StaffNotice:
    """The body to post for one outbox row."""
    common = {
        "event_id": notice.event_id,
        "type": notice.event_type,
        "occurred_at": notice.created_at,
        "restaurant": restaurant.name,
    }
    if notice.event_type == "escalation.created":
        escalation = Escalation.model_validate(notice.subject)
        text = (
            f"Callback needed ({escalation.urgency} urgency): {escalation.name}, "
            f"{escalation.phone_number}. {escalation.reason}: {escalation.summary}"
        )
        body = EscalationBody.model_validate(escalation, from_attributes=True)
        return StaffNotice(**common, text=chat_text(text), escalation=body)
    booking = Reservation.model_validate(notice.subject)
    what = "New booking" if notice.event_type == "reservation.created" else "Cancelled"
    text = (
        f"{what} by the voice agent: {booking.party_size} guests on "
        f"{booking.starts_at:%a %-d %b at %H:%M}, {booking.name} ({booking.confirmation_code})."
    )
    reservation = ReservationBody(
        confirmation_code=booking.confirmation_code,
        name=booking.name,
        phone_number=booking.phone_number,
        reservation_date=booking.reservation_date,
        reservation_time=f"{booking.reservation_time:%H:%M}",
        party_size=booking.party_size,
        other_info=booking.other_info,
        status=booking.status,
    )
    return StaffNotice(**common, text=chat_text(text), reservation=reservation)
