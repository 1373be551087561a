"""LiveKit's webhooks, which drive the call watch (api/call_watch.py).

livekit-server signs each one with an API key (livekit.yaml `webhook: api_key:`): a JWT in the
Authorization header whose `sha256` claim is the body's hash. livekit-api's WebhookReceiver
checks both with this deployment's LIVEKIT_API_KEY and LIVEKIT_API_SECRET; anything else is
refused 401 before its content is looked at. An event about a room marks it due in the database
for the process leading the watch, whichever process received it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from google.protobuf.json_format import ParseError
from livekit import api

from api.errors import BODY_RESPONSES
from api.schemas import Problem
from core.db.watched_rooms import WatchedRooms

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/livekit/webhook"
# What happens in a room that may change what the watch should do there; room_finished ends it.
ROOM_EVENTS = frozenset({"room_started", "participant_joined", "participant_left"})

router = APIRouter(tags=["livekit"])


@dataclass
class Webhooks:
    receiver: api.WebhookReceiver
    rooms: WatchedRooms


def webhooks(rooms: WatchedRooms, key: str, secret: str) -> Webhooks:
    return Webhooks(api.WebhookReceiver(api.TokenVerifier(key, secret)), rooms)


WEBHOOK_RESPONSES: dict[int | str, dict[str, Any]] = BODY_RESPONSES | {
    401: {"model": Problem, "description": "Not signed with this deployment's LiveKit key."},
    404: {"model": Problem, "description": "This API has no LiveKit key and watches no rooms."},
}


@router.post(
    WEBHOOK_PATH,
    summary="livekit-server's webhooks (signed with the LiveKit API key)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=WEBHOOK_RESPONSES,
)
async def livekit_webhook(request: Request) -> Response:
    hooks: Webhooks | None = request.state.livekit_webhooks
    if hooks is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail="This API watches no LiveKit server: LIVEKIT_API_KEY and "
            "LIVEKIT_API_SECRET are not set.",
        )
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="A LiveKit webhook is signed: send its token in the Authorization header.",
        )
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        event = hooks.receiver.receive(body, token)
    except ParseError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, detail="The body is not a LiveKit webhook event."
        ) from None
    except Exception:
        # livekit-api raises a bare Exception for a hash that does not match, PyJWT's errors
        # for a bad token: all mean the same to the sender.
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="The webhook's signature does not match this deployment's LiveKit key "
            "and secret, or does not cover this body.",
        ) from None
    room = event.room.name
    if room and event.event == "room_finished":
        await hooks.rooms.forget(room)
    elif room and event.event in ROOM_EVENTS:
        await hooks.rooms.event(room)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
