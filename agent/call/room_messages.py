"""Tell the caller's app about bookings: a small JSON message on the room's data channel."""

from __future__ import annotations

import logging
from typing import Literal

from livekit import rtc
from pydantic import BaseModel

from core.models import Reservation

# Documented in docs/voice-agent.md ("Telling the client").
TOPIC = "restaurant.reservation"

NoticeKind = Literal["created", "updated", "cancelled"]

logger = logging.getLogger(__name__)


class ReservationNotice(BaseModel):
    """A reservation was created, changed or cancelled in this call."""

    type: Literal["reservation.created", "reservation.updated", "reservation.cancelled"]
    confirmation_code: str
    reservation_date: str
    reservation_time: str
    party_size: int
    name: str
    status: str
    other_info: dict[str, object]

    @classmethod
    def of(
        cls,
        kind: NoticeKind,
        reservation: Reservation,
    ) -> ReservationNotice:
        return cls(
            type=f"reservation.{kind}",
            confirmation_code=reservation.confirmation_code,
            reservation_date=reservation.reservation_date.isoformat(),
            reservation_time=reservation.reservation_time.strftime("%H:%M"),
            party_size=reservation.party_size,
            name=reservation.name,
            status=reservation.status,
            other_info=reservation.other_info,
        )


class RoomNotifier:
    """Publishes notices reliably to everyone in the room."""

    def __init__(self, room: rtc.Room) -> None:
        self._room = room

    async def __call__(self, notice: ReservationNotice) -> None:
        try:
            await self._room.local_participant.publish_data(
                notice.model_dump_json(), reliable=True, topic=TOPIC
            )
        except Exception:
            # The booking stands whether or not the app hears about it; the agent says the code.
            logger.warning("could not publish reservation notice", extra={"type": notice.type})
