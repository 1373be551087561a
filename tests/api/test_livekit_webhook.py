"""LiveKit's webhooks: only those signed with this deployment's LiveKit key and secret, over
this very body, are taken; an event about a room marks it due for the call watch's leader in the
database (api/routes/livekit_webhook.py), and room_finished forgets it."""

from __future__ import annotations

import base64
import hashlib
import json

import asyncpg
import pytest
from livekit import api

from api.call_watch import watch_name
from core.settings import get_settings
from tests.support.database import INSPECT
from tests.support.token import LIVEKIT_KEY, LIVEKIT_SECRET, StartApi

PATH = "/livekit/webhook"


def event(kind: str, room: str) -> str:
    return json.dumps({"event": kind, "room": {"name": room}, "id": f"EV_{kind}_{room}"})


def signed(body: str, key: str = LIVEKIT_KEY, secret: str = LIVEKIT_SECRET) -> str:
    """The Authorization header livekit-server sends: a JWT over the body's SHA-256."""
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    return api.AccessToken(key, secret).with_sha256(digest).to_jwt()


async def row(pool: asyncpg.Pool, room: str) -> asyncpg.Record | None:
    async with pool.acquire() as conn:
        found: asyncpg.Record | None = await INSPECT.watched_room(
            conn, watch=watch_name(get_settings()), room=room
        )
        return found


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("unsigned", {}),
        ("signed with another secret", {"Authorization": signed("{}", secret="x" * 40)}),
        ("another key", {"Authorization": signed("{}", key="someone-else")}),
        ("not a token", {"Authorization": "Bearer not.a.jwt"}),
    ],
)
async def test_a_webhook_not_signed_with_our_key_is_refused(
    start_api: StartApi, pool: asyncpg.Pool, case: str, headers: dict[str, str]
) -> None:
    body = event("room_started", f"refused-{len(case)}")
    async with start_api() as running, running.client() as client:
        answer = await client.post(PATH, content=body, headers=headers)
        assert answer.status_code == 401, case
        assert "Authorization" in answer.json()["detail"] or "signature" in answer.json()["detail"]
        assert await row(pool, f"refused-{len(case)}") is None


async def test_a_signature_over_another_body_is_refused(
    start_api: StartApi, pool: asyncpg.Pool
) -> None:
    honest = event("participant_left", "room-a")
    forged = event("participant_left", "room-b")
    async with start_api() as running, running.client() as client:
        answer = await client.post(PATH, content=forged, headers={"Authorization": signed(honest)})
        assert answer.status_code == 401
        assert "does not cover this body" in answer.json()["detail"]
    assert await row(pool, "room-b") is None


async def test_a_signed_event_marks_its_room_due_and_room_finished_forgets_it(
    start_api: StartApi, pool: asyncpg.Pool
) -> None:
    async with start_api() as running, running.client() as client:
        for kind in ("room_started", "participant_joined", "participant_left"):
            body = event(kind, "room-1")
            answer = await client.post(PATH, content=body, headers={"Authorization": signed(body)})
            assert answer.status_code == 204, answer.text
            # Due for the leader: this app's own watch may already have tried to look (its
            # LiveKit is unreachable here) and put the look off (tests/db: due at once).
            found = await row(pool, "room-1")
            assert found is not None and found["ours"] is None
        # An event the watch has no use for is taken and ignored.
        body = event("track_published", "room-2")
        answer = await client.post(PATH, content=body, headers={"Authorization": signed(body)})
        assert answer.status_code == 204
        assert await row(pool, "room-2") is None
        body = event("room_finished", "room-1")
        answer = await client.post(PATH, content=body, headers={"Authorization": signed(body)})
        assert answer.status_code == 204
        assert await row(pool, "room-1") is None


async def test_a_signed_body_that_is_no_event_is_a_400(start_api: StartApi) -> None:
    body = "[not json"
    async with start_api() as running, running.client() as client:
        answer = await client.post(PATH, content=body, headers={"Authorization": signed(body)})
    assert answer.status_code == 400
    assert answer.json()["detail"] == "The body is not a LiveKit webhook event."


async def test_an_api_without_a_livekit_key_takes_no_webhooks(start_api: StartApi) -> None:
    body = event("room_started", "room-1")
    async with (
        start_api(LIVEKIT_API_KEY="", LIVEKIT_API_SECRET="") as running,
        running.client() as client,
    ):
        answer = await client.post(PATH, content=body, headers={"Authorization": signed(body)})
    assert answer.status_code == 404
    assert "LIVEKIT_API_KEY" in answer.json()["detail"]


async def test_a_webhook_body_is_limited_like_every_other(start_api: StartApi) -> None:
    body = " " * 2_000_000
    async with start_api() as running, running.client() as client:
        answer = await client.post(PATH, content=body, headers={"Authorization": signed(body)})
    assert answer.status_code == 413
