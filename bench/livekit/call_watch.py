"""Benchmark: the call watch's LiveKit API calls per minute, with 1 and 100 idle rooms.

    export PATH=$PWD/.tools/bin:$PATH
    uv run --group bench python -m bench.livekit.call_watch    # --rooms 1,100 --seconds 180

Starts a throwaway embedded PostgreSQL (the watch's lead is an advisory lock there) and a real
livekit-server from the project's livekit.yaml, creates the rooms (empty: no call under way, as
at a quiet hour; an empty room costs the watch what a room with a quiet call does), then runs one
API process's call watch (`api/call_watch.py`, leading) for `--seconds` and counts every LiveKit
API request it makes, by method, and the lines livekit-server logs meanwhile. Idle rooms send
no webhooks: what is left is the reconciliation sweep (every SWEEP_EVERY, 60 s), so the default
window is three sweeps long.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from livekit import api

from api.call_watch import CallWatch
from api.live_calls import LiveCalls
from bench.common import machine, table
from bench.database.common import start_server
from core.db.migrations import apply_migrations
from core.db.pool import create_pool
from core.restaurant import load_restaurant
from core.settings import PROJECT_ROOT
from testkit.stack import LIVEKIT_KEY, LIVEKIT_SECRET, LiveKitServer, find_livekit_server


def count_requests(lk: api.LiveKitAPI, counts: Counter[str]) -> None:
    """Count each request the services make (livekit-api's Twirp client), by method."""
    for service in (lk.room, lk.agent_dispatch):
        client = service._client
        request = client.request

        async def counted(svc: str, method: str, *args: Any, _r: Any = request, **kw: Any) -> Any:
            counts[method] += 1
            return await _r(svc, method, *args, **kw)

        client.request = counted  # type: ignore[method-assign,assignment]


async def measure(server: LiveKitServer, dsn: str, rooms: int, seconds: float) -> list[str]:
    restaurant = load_restaurant(PROJECT_ROOT / "restaurant.toml")
    pool = await create_pool(dsn, min_size=1, max_size=3, timeout=10)
    lk = api.LiveKitAPI(server.url.replace("ws://", "http://"), LIVEKIT_KEY, LIVEKIT_SECRET)
    names = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(rooms)]
    counts: Counter[str] = Counter()
    try:
        for name in names:
            await lk.room.create_room(api.CreateRoomRequest(name=name, empty_timeout=3600))
        counting: Counter[str] = Counter()
        count_requests(lk, counting)
        watch = CallWatch(lk, "", restaurant, LiveCalls(10_000), f"bench {uuid.uuid4()}")
        lines_before = len(server.child.output().splitlines())
        task = asyncio.create_task(watch.run(pool))
        await asyncio.sleep(seconds)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        lines = len(server.child.output().splitlines()) - lines_before
        # The watch's requests only, not the clean-up's.
        counts = Counter(counting)
    finally:
        for name in names:
            await lk.room.delete_room(api.DeleteRoomRequest(room=name))
        await lk.aclose()
        await pool.close()
    per_minute = 60 / seconds
    by_method = ", ".join(f"{m} {n * per_minute:.0f}" for m, n in sorted(counts.items()))
    return [
        str(rooms),
        f"{sum(counts.values()) * per_minute:.0f}",
        by_method,
        f"{lines * per_minute:.0f}",
    ]


async def run(levels: list[int], seconds: float) -> None:
    binary = find_livekit_server()
    if binary is None:
        raise SystemExit("livekit-server is missing: scripts/setup-livekit, then PATH=.tools/bin")
    database = start_server()
    await apply_migrations(database.dsn)
    server = LiveKitServer(binary, Path(tempfile.mkdtemp(prefix="receptionist-bench-lk-")))
    server.start()
    try:
        rows = [await measure(server, database.dsn, rooms, seconds) for rooms in levels]
    finally:
        server.stop()
    print("\n".join(machine()))
    print(f"one API process's call watch, leading, for {seconds} s per level")
    header = [
        "idle rooms",
        "LiveKit API calls / min",
        "by method / min",
        "livekit-server log lines / min",
    ]
    print(table(header, rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", default="1,100")
    parser.add_argument("--seconds", type=float, default=180.0)
    args = parser.parse_args()
    asyncio.run(run([int(n) for n in args.rooms.split(",")], args.seconds))


if __name__ == "__main__":
    main()
