"""The call watch driven by a real livekit-server's webhooks (api/call_watch.py): the server's
signed events reach the API, the leader looks at the room they name at once, a finished room
is forgotten, and an idle server is not polled: one listing a minute, not one every 2 s."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from livekit import api

from testkit.stack import LIVEKIT_KEY, LIVEKIT_SECRET, LiveKitServer, Process, start_api
from tests.support.database import INSPECT
from tests.support.stacks import service_env

T = TypeVar("T")
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


async def eventually(probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool], what: str) -> T:
    deadline = time.monotonic() + WAIT
    while not ok(value := await probe()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what} (last: {value!r})")
        await asyncio.sleep(0.2)
    return value


async def test_a_room_event_is_looked_at_once_and_a_finished_room_forgotten(
    watched: Watched, lkapi: api.LiveKitAPI, pool: asyncpg.Pool
) -> None:
    async def row() -> asyncpg.Record | None:
        async with pool.acquire() as conn:
            found: asyncpg.Record | None = await INSPECT.watched_room(
                conn, watch=watched.watch, room=room
            )
            return found

    await eventually(
        lambda: asyncio.sleep(0, watched.api.output()), lambda out: "watching call rooms" in out,
        "the API to lead the watch",
    )  # fmt: skip
    room = f"event-{uuid.uuid4().hex[:8]}"
    created = time.monotonic()
    await lkapi.room.create_room(api.CreateRoomRequest(name=room, empty_timeout=300))
    # room_started, signed by livekit-server, taken by the API; the leader looked (no caller:
    # nothing to do, nothing due) and knows the room is this deployment's.
    found = await eventually(
        row, lambda r: r is not None and r["ours"] is True and not r["due"], "the leader's look"
    )
    assert found is not None and found["agentless_since"] is None
    assert time.monotonic() - created < WAIT
    await lkapi.room.delete_room(api.DeleteRoomRequest(room=room))
    await eventually(row, lambda r: r is None, "room_finished to forget the room")
    # Every webhook was taken: none refused for its signature.
    out = watched.api.output()
    assert "route='/livekit/webhook' status=204" in out
    assert "route='/livekit/webhook' status=401" not in out


async def test_an_idle_server_is_listed_once_a_minute_not_polled(
    watched: Watched, lkapi: api.LiveKitAPI
) -> None:
    await eventually(
        lambda: asyncio.sleep(0, watched.api.output()), lambda out: "watching call rooms" in out,
        "the API to lead the watch",
    )  # fmt: skip
    await lkapi.room.create_room(api.CreateRoomRequest(name="idle", empty_timeout=300))
    before = watched.livekit.child.output().count("ListRooms")
    # The 2 s poll made five listings in this time; the sweep makes at most one.
    await asyncio.sleep(10)
    assert watched.livekit.child.output().count("ListRooms") - before <= 1
