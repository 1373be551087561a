"""The call watch's rooms in PostgreSQL (core/db/watched_rooms.py): what a webhook marks due
is looked at once, an event during a look is not lost, deadlines outlive the leader, and the
sweep forgets the rooms the LiveKit server no longer has."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from core.db.watched_rooms import WatchedRooms


def rooms(pool: asyncpg.Pool) -> WatchedRooms:
    return WatchedRooms(pool, f"test.watch {uuid.uuid4()}")


async def test_an_event_makes_a_room_due_once_and_a_look_settles_it(
    store: object, pool: asyncpg.Pool
) -> None:
    watch = rooms(pool)
    await watch.event("room-1")
    await watch.event("room-1")
    [state] = await watch.due()
    assert state.room == "room-1"
    await watch.looked(state, ours=True, due_in=None)
    assert await watch.due() == []
    assert await watch.call_rooms() == ["room-1"]


async def test_an_event_while_the_leader_looks_is_not_lost(
    store: object, pool: asyncpg.Pool
) -> None:
    watch = rooms(pool)
    await watch.event("room-1")
    [state] = await watch.due()
    # The caller leaves while the leader is looking at what it saw before.
    await watch.event("room-1")
    await watch.looked(state, ours=True, due_in=None)
    [again] = await watch.due()
    assert again.room == "room-1"


async def test_a_deadline_is_kept_for_the_next_leader(store: object, pool: asyncpg.Pool) -> None:
    watch = rooms(pool)
    await watch.event("room-1")
    [state] = await watch.due()
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    state.agentless_since, state.dispatched_at = since, since
    state.released = {"sip-caller"}
    await watch.looked(state, ours=True, due_in=0.0)
    # Another process, another store object: what the first leader knew is there.
    [found] = await WatchedRooms(pool, watch.watch).due()
    assert (found.agentless_since, found.dispatched_at, found.told_at) == (since, since, None)
    assert found.released == {"sip-caller"}
    # Not due before its time.
    await watch.looked(found, ours=True, due_in=3600.0)
    assert await watch.due() == []


async def test_only_rooms_found_ours_are_counted_and_a_failed_look_keeps_what_was_known(
    store: object, pool: asyncpg.Pool
) -> None:
    watch = rooms(pool)
    await watch.event("theirs")
    await watch.event("unknown")
    due = {s.room: s for s in await watch.due()}
    await watch.looked(due["theirs"], ours=False, due_in=None)
    await watch.looked(due["unknown"], ours=True, due_in=None)
    assert await watch.call_rooms() == ["unknown"]
    # LiveKit could not be asked: each room stays as the last look found it.
    for room in due:
        await watch.event(room)
    for state in await watch.due():
        await watch.looked(state, ours=None, due_in=None)
    assert await watch.call_rooms() == ["unknown"]


async def test_the_sweep_looks_at_every_listed_room_and_forgets_the_rest(
    store: object, pool: asyncpg.Pool
) -> None:
    watch, other = rooms(pool), rooms(pool)
    for room in ("gone", "kept"):
        await watch.event(room)
        await other.event(room)
    for state in await watch.due():
        await watch.looked(state, ours=True, due_in=None)
    await watch.reconcile(["kept", "new"])
    assert sorted(state.room for state in await watch.due()) == ["kept", "new"]
    # A room new to the sweep counts once the leader has looked at it.
    assert await watch.call_rooms() == ["kept"]
    # Another watch's rows (another agent name on the same database) are its own.
    assert await other.call_rooms() == []
    assert await watch.swept_ago() is not None and await other.swept_ago() is None
    await watch.forget("kept")
    assert await watch.call_rooms() == []
    await watch.sweep_failed()
    assert await watch.swept_ago() is None
