"""What a caller no agent can answer gets (the call watch's last resort, api/call_watch.py).

A browser or app caller's page is told, on the `restaurant.status` topic, with the restaurant's
phone number. A phone caller cannot read it: one whose call was answered is put through to the
staff line of the hour (`[staff]` in restaurant.toml), or, with none, hung up on rather than
left in silence.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from livekit import api

from core.restaurant import Restaurant

logger = logging.getLogger("api.call_watch")

STATUS_TOPIC = "restaurant.status"


async def tell_caller(livekit: api.LiveKitAPI, restaurant: Restaurant, room: str) -> None:
    phone = restaurant.identity.phone
    notice = {
        "type": "agent.unavailable",
        "message": f"Sorry, our receptionist can't answer right now. Please call us on {phone}.",
        "phone": phone,
    }
    await livekit.room.send_data(
        api.SendDataRequest(
            room=room,
            data=json.dumps(notice).encode(),
            kind=api.DataPacket.Kind.RELIABLE,
            topic=STATUS_TOPIC,
        )
    )
    logger.warning("caller told no agent is coming", extra={"room": room})


async def release_phone_caller(
    livekit: api.LiveKitAPI, restaurant: Restaurant, room: str, identity: str
) -> None:
    line = restaurant.staff_line(datetime.now(UTC))
    if line is not None:
        try:
            await livekit.sip.transfer_sip_participant(
                api.TransferSIPParticipantRequest(
                    room_name=room, participant_identity=identity, transfer_to=line
                )
            )
            logger.warning("phone caller put through to staff: no agent", extra={"room": room})
            return
        except api.TwirpError as exc:
            logger.warning("phone caller not put through", extra={"room": room, "code": exc.code})
    # Silence until they give up is the worst answer; an ended call they can ring again.
    await livekit.room.remove_participant(api.RoomParticipantIdentity(room=room, identity=identity))
    logger.warning("phone caller hung up on: no agent", extra={"room": room})
