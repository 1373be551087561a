"""The call watch driven by a real livekit-server's webhooks (api/call_watch.py): the server's
signed events reach the API, the leader looks at the room they name at once, a finished room
is forgotten, and an idle server is not polled: one listing a minute, not one every 2 s."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from livekit import api

from testkit.stack import LIVEKIT_KEY, LIVEKIT_SECRET, LiveKitServer, Process, start_api
from tests.support.database import INSPECT
from tests.support.stacks import service_env, until, until_async

# Generous: a busy 2-core machine; the sweep that would also find the room is 60 s away.
WAIT = 30.0


@dataclass
class Watched:
    livekit: LiveKitServer
    api: Process
    # The watch's rows (api/call_watch.py watch_name): its LiveKit URL and empty agent name.
    watch: str


@pytest.fixture
def watched(livekit_binary: str, migrated_url: str) -> Iterator[Watched]:
    """livekit-server with its webhooks to one API process; no worker."""
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-watch-"))
    livekit = LiveKitServer(livekit_binary, workdir, target_load=100.0)
    livekit.start()
    try:
        env = service_env(migrated_url, livekit.url)
        process, _ = start_api(env, workdir, livekit.api_ports[0])
        try:
            yield Watched(livekit, process, f"receptionist.call_watch {livekit.url} ")
        finally:
            process.stop()
    finally:
        livekit.stop()


@pytest.fixture
async def lkapi(watched: Watched) -> AsyncIterator[api.LiveKitAPI]:
    http = watched.livekit.url.replace("ws://", "http://")
    async with api.LiveKitAPI(http, LIVEKIT_KEY, LIVEKIT_SECRET) as client:
        yield client


async def leading(watched: Watched) -> None:
    await until(lambda: "watching call rooms" in watched.api.output(), "the API to lead", WAIT)


async def test_a_room_event_is_looked_at_once_and_a_finished_room_forgotten(
    watched: Watched, lkapi: api.LiveKitAPI, pool: asyncpg.Pool
) -> None:
    async def row() -> asyncpg.Record | None:
        async with pool.acquire() as conn:
            found: asyncpg.Record | None = await INSPECT.watched_room(
                conn, watch=watched.watch, room=room
            )
            return found

    await leading(watched)
    room = f"event-{uuid.uuid4().hex[:8]}"
    await lkapi.room.create_room(api.CreateRoomRequest(name=room, empty_timeout=300))

    # room_started, signed by livekit-server, taken by the API; the leader looked (no caller:
    # nothing to do, nothing due) and knows the room is this deployment's. Within WAIT, well
    # before the sweep (60 s) could have found it.
    async def looked() -> bool:
        found = await row()
        return found is not None and found["ours"] is True and not found["due"]

    await until_async(looked, "the leader's look", WAIT)
    found = await row()
    assert found is not None and found["agentless_since"] is None
    await lkapi.room.delete_room(api.DeleteRoomRequest(room=room))

    async def forgotten() -> bool:
        return await row() is None

    await until_async(forgotten, "room_finished to forget the room", WAIT)
    # Every webhook was taken: none refused for its signature.
    out = watched.api.output()
    assert "route='/livekit/webhook' status=204" in out
    assert "route='/livekit/webhook' status=401" not in out


async def test_an_idle_server_is_listed_once_a_minute_not_polled(
    watched: Watched, lkapi: api.LiveKitAPI
) -> None:
    await leading(watched)
    await lkapi.room.create_room(api.CreateRoomRequest(name="idle", empty_timeout=300))
    before = watched.livekit.child.output().count("ListRooms")
    # The 2 s poll made five listings in this time; the sweep makes at most one.
    await asyncio.sleep(10)
    assert watched.livekit.child.output().count("ListRooms") - before <= 1
