"""Several of each on loopback, all real processes: one Redis, two livekit-server nodes on it,
an API process and a worker on each node, one PostgreSQL (tests/support/multi_node.py).

The tests run in this order on one cluster, and the faults put back what they broke. The time
each fault took to serve the next caller is printed (pytest -s) and listed at the end of the run.
"""

from __future__ import annotations

import asyncio
import functools
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from datetime import time as clock

import httpx
from livekit import api, rtc

from core.db.reservations import ReservationStore
from core.restaurant import load_restaurant
from core.services.reservations import ReservationService
from core.spoken.details import read_date
from testkit.caller import Caller
from testkit.stack import LIVEKIT_KEY, LIVEKIT_SECRET, scripted_calls_restaurant, wait_for
from tests.support.days import book_regulars
from tests.support.e2e_race import TAKEN
from tests.support.multi_node import TOKEN_LIMIT, Cluster, Node
from tests.support.stacks import TIME_TO_SERVICE, until

# Generous: a busy 2-core machine runs two nodes, two APIs and two workers here.
SERVED_WITHIN = 60.0
JOIN_WITHIN = 20.0
READ_BACK = "Shall I book it?"


@asynccontextmanager
async def caller_of(node: Node, room_on: Node | None = None) -> AsyncIterator[Caller]:
    """A caller holding a token from `node`'s API, joined where the token says; with `room_on`,
    its room is made on that node first (livekit-server otherwise picks one at random)."""
    caller = Caller()
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{node.api_base}/api/token", json={})
    assert answer.status_code == 201, answer.text
    token = answer.json()
    # Each API names its own node: with no load balancer in front, that is where callers go.
    assert token["server_url"] == node.livekit.url
    if room_on is not None:
        http_url = node.livekit.url.replace("ws://", "http://")
        async with api.LiveKitAPI(http_url, LIVEKIT_KEY, LIVEKIT_SECRET) as server:
            request = api.CreateRoomRequest(name=token["room_name"], node_id=room_on.node_id())
            await server.room.create_room(request)
    try:
        await caller.connect(token["server_url"], token["participant_token"])
        yield caller
    finally:
        await caller.leave()


async def greeted(caller: Caller, since: float) -> float:
    """Seconds from `since` until the agent's voice reached the caller."""
    await until(
        lambda: caller.first_agent_audio_after(since) is not None, "an agent", SERVED_WITHIN
    )
    heard = caller.first_agent_audio_after(since)
    assert heard is not None
    return heard - since


def report(fault: str, seconds: float) -> None:
    TIME_TO_SERVICE.append((fault, seconds))
    print(f"{fault}: next call served in {seconds:.1f} s")


def agent_said(caller: Caller, text: str) -> bool:
    return any(text in line for line in caller.said_by("agent"))


async def test_callers_from_either_api_are_served(cluster: Cluster) -> None:
    async with caller_of(cluster.nodes[0]) as first, caller_of(cluster.nodes[1]) as second:
        await asyncio.gather(greeted(first, 0.0), greeted(second, 0.0))
        for caller in (first, second):
            [worker] = cluster.served_by(caller.room.name)
            assert caller.statuses == []
            # Where livekit-server put each room and which worker took it (pytest -s).
            room_node = cluster.room_node(caller.room.name)
            on = next(node.name for node in cluster.nodes if node.node_id() == room_node)
            print(f"room on node {on}, served by the worker of node {cluster.node_of(worker).name}")
    # One call watch for the cluster: the APIs name the same LIVEKIT_URL, and one leads.
    watching = [node for node in cluster.nodes if "watching call rooms" in node.api_output()]
    assert len(watching) == 1


async def test_the_token_rate_limit_holds_across_both_apis(cluster: Cluster) -> None:
    # One client's requests, alternately to each API: uvicorn takes the client's address from
    # X-Forwarded-For when the peer is loopback, as it does behind a load balancer.
    headers = {"X-Forwarded-For": "198.51.100.77"}
    bases = [node.api_base for node in cluster.nodes]
    answers = []
    async with httpx.AsyncClient(headers=headers) as http:
        for n in range(TOKEN_LIMIT + 2):
            answers.append(await http.post(f"{bases[n % 2]}/api/token", json={}))
    codes = [answer.status_code for answer in answers]
    assert codes == [201] * TOKEN_LIMIT + [429, 429]
    assert answers[-1].json()["detail"].startswith("Too many token requests from this address")
    # Another address is a fresh allowance.
    async with httpx.AsyncClient(headers={"X-Forwarded-For": "198.51.100.78"}) as http:
        assert (await http.post(f"{bases[1]}/api/token", json={})).status_code == 201


async def test_a_stopped_node_leaves_new_rooms_to_the_other(cluster: Cluster) -> None:
    up, down = cluster.nodes
    assert down.worker is not None
    registered = down.registrations()
    down.livekit.stop()
    stopped = time.monotonic()
    async with caller_of(up) as caller:
        report("livekit-server node stopped: new room on the other", await greeted(caller, stopped))
        # The stopped node's worker had nowhere to take a job from.
        assert cluster.served_by(caller.room.name) == [up.worker]
    # Back: the worker of that node registers again by itself.
    down.livekit.start()
    wait_for(lambda: down.registrations() > registered, "the worker to register again", 120)


async def served_despite_a_dead_node(node: Node) -> Caller:
    """A caller of `node`'s API who, like a client that retries, takes a new token when the
    join fails: for up to 5 s after a node dies livekit-server may still give a new room to it
    (a node counts as available until its stats are 5 s old)."""
    for attempt in range(1, 100):
        caller = Caller()
        try:
            async with httpx.AsyncClient() as http:
                token = (await http.post(f"{node.api_base}/api/token", json={})).json()
            await asyncio.wait_for(
                caller.connect(token["server_url"], token["participant_token"]), JOIN_WITHIN
            )
            print(f"joined at attempt {attempt}")
            return caller
        except (TimeoutError, rtc.ConnectError):
            await caller.leave()
    raise AssertionError("no join succeeded")


async def test_a_crashed_node_leaves_new_rooms_to_the_other(cluster: Cluster) -> None:
    crashed, up = cluster.nodes
    assert crashed.livekit.child.process is not None
    registered = crashed.registrations()
    crashed.livekit.child.process.kill()
    crashed.livekit.child.process.wait()
    killed = time.monotonic()
    caller = await asyncio.wait_for(served_despite_a_dead_node(up), SERVED_WITHIN)
    try:
        report("livekit-server node killed: new room on the other", await greeted(caller, killed))
        assert cluster.served_by(caller.room.name) == [up.worker]
    finally:
        await caller.leave()
    crashed.livekit.start()
    wait_for(lambda: crashed.registrations() > registered, "the worker to register again", 120)


async def fill_but_four(store: ReservationStore) -> list[datetime]:
    """Book next Saturday 19:00 full but for four seats; the days it may be (the date is read
    twice, a little apart, so a midnight between this and the calls changes nothing)."""
    restaurant = load_restaurant(scripted_calls_restaurant())
    service = ReservationService(store, restaurant, notify_staff=False)
    now = service.now()
    days = {read_date(restaurant, at, "next Saturday") for at in (now, now + timedelta(minutes=15))}
    regulars = [10, 10, 10, restaurant.booking.capacity_covers - 34]
    for day in days:
        await book_regulars(service, day, clock(19, 0), regulars)
        assert (await service.check_availability(day, clock(19, 0), 4)).available
        assert not (await service.check_availability(day, clock(19, 0), 5)).available
    return [datetime.combine(day, clock(19, 0)) for day in days]


async def booked_at(store: ReservationStore, slots: list[datetime]) -> list[int]:
    """The parties booked at `slots` by callers (not the regulars who filled them)."""
    restaurant = load_restaurant(scripted_calls_restaurant())
    service = ReservationService(store, restaurant, notify_staff=False)
    parties = []
    for slot in slots:
        page = await service.list_for_date(slot.date(), page_size=200, status="confirmed")
        parties += [r.party_size for r in page.items if r.name != "Regular"]
    return parties


async def test_racing_for_the_last_seats_from_different_workers(
    cluster: Cluster, store: ReservationStore
) -> None:
    slots = await fill_but_four(store)
    first_node, second_node = cluster.nodes
    async with caller_of(first_node) as first:
        await greeted(first, 0.0)
        [draining] = cluster.served_by(first.room.name)
        # Its worker is stopped: it finishes the call it has and takes no other.
        assert draining.process is not None
        draining.process.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        # The next room on the stopped worker's node: only the other node has a worker for it.
        its_node = cluster.node_of(draining)
        async with caller_of(second_node, room_on=its_node) as second:
            report("one worker stopped: call served by the other", await greeted(second, stopped))
            [other] = cluster.served_by(second.room.name)
            # So calls land on both workers (whichever took the first), and a worker takes
            # jobs for rooms on a node it is not registered with.
            assert {draining.log, other.log} == {worker.log for worker in cluster.workers}
            assert cluster.room_node(second.room.name) == its_node.node_id()
            assert cluster.node_of(other) is not its_node
            # Both ask for the same table and hear it is free, then both say yes at once. (One
            # after the other: two long utterances sent at once from this process stutter on a
            # busy machine, and the VAD cuts them in two.)
            for caller in (first, second):
                await caller.say("booking.wav", 1.5)
                read_back = functools.partial(agent_said, caller, READ_BACK)
                await until(read_back, "the read-back", SERVED_WITHIN)
            await asyncio.gather(*(c.say("confirm.wav", 1.5) for c in (first, second)))
            await until(
                lambda: all(c.notices or agent_said(c, TAKEN) for c in (first, second)),
                "both answers",
                SERVED_WITHIN,
            )
            winners = [c for c in (first, second) if c.notices]
            losers = [c for c in (first, second) if agent_said(c, TAKEN)]
            assert len(winners) == len(losers) == 1 and winners != losers
            [offer] = [line for line in losers[0].said_by("agent") if TAKEN in line]
            assert "Nearest times:" in offer
    assert await booked_at(store, slots) == [4]
    # The stopped worker leaves once its call is over.
    wait_for(lambda: not draining.alive(), "the stopped worker to exit", 60)
