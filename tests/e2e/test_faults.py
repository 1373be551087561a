"""An operator's bad day: every caller gets an agent, or an honest answer, and the database
holds what happened. Each test has a stack of its own, since it breaks it.

The time each fault took to serve the caller is printed at the end of the run
(tests/e2e/conftest.py).
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from core.db.call_log import CallLog
from core.db.call_records import CallRecords
from testkit.caller import Caller
from testkit.stack import LiveKitServer, Process, start_api, start_worker, wait_for
from tests.support.stacks import TIME_TO_SERVICE, service_env, until

RESTAURANT_PHONE = "+65 6221 4780"


class FaultStack:
    """livekit-server, the API and one or more workers, for one test to break."""

    def __init__(self, livekit_binary: str, database_url: str) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="receptionist-fault-"))
        self.livekit = LiveKitServer(livekit_binary, self.workdir, target_load=100.0)
        self.env = service_env(database_url, self.livekit.url)
        self.started: list[Process | LiveKitServer] = []
        self.workers: list[Process] = []
        self.apis: list[Process] = []
        self.api_base = ""

    def start(self, workers: int = 1, apis: int = 1) -> None:
        self.livekit.start()
        self.started.append(self.livekit)
        for n in range(apis):
            folder = self.workdir / f"api-{n}"
            folder.mkdir()
            api, base = start_api(self.env, folder, self.livekit.api_ports[n])
            self.started.append(api)
            self.apis.append(api)
            self.api_base = self.api_base or base
        for n in range(workers):
            folder = self.workdir / f"worker-{n}"
            folder.mkdir()
            worker = start_worker(self.env, folder)
            self.started.append(worker)
            self.workers.append(worker)

    def stop(self) -> None:
        for process in reversed(self.started):
            process.stop()

    def logs(self) -> str:
        """The end of each process's log, the API's first: the call watch writes there."""
        processes = sorted(
            (p for p in self.started if isinstance(p, Process)), key=lambda p: p.name != "api"
        )
        return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in processes)


@asynccontextmanager
async def fault_stack(
    livekit_binary: str, database_url: str, workers: int = 1, apis: int = 1
) -> AsyncIterator[FaultStack]:
    stack = FaultStack(livekit_binary, database_url)
    try:
        stack.start(workers, apis)
        yield stack
    except BaseException:
        print(stack.logs())  # shown when the test failed
        raise
    finally:
        stack.stop()


@asynccontextmanager
async def calling(stack: FaultStack) -> AsyncIterator[Caller]:
    caller = Caller()
    try:
        await caller.join(stack.api_base)
        yield caller
    finally:
        await caller.leave()


async def greeted(caller: Caller, after: float, timeout: float) -> float:
    """Seconds from `after` until the agent's voice reaches the caller."""
    await until(lambda: caller.first_agent_audio_after(after) is not None, "an agent", timeout)
    heard = caller.first_agent_audio_after(after)
    assert heard is not None
    return heard - after


def report(fault: str, seconds: float) -> None:
    TIME_TO_SERVICE.append((fault, seconds))


def said(caller: Caller, text: str) -> Callable[[], bool]:
    return lambda: any(text in line for line in caller.said_by("agent"))


async def test_a_killed_job_is_replaced_by_an_agent_that_knows_the_booking(
    livekit_binary: str, migrated_url: str, call_records: CallRecords, call_log: CallLog
) -> None:
    async with fault_stack(livekit_binary, migrated_url) as stack, calling(stack) as caller:
        [worker] = stack.workers
        await greeted(caller, 0.0, 45)
        await caller.say("booking.wav", trailing_silence=1.5)
        await until(said(caller, "Shall I book it?"), "the read-back", 30)
        await caller.say("confirm.wav", trailing_silence=1.5)
        await until(lambda: bool(caller.notices), "the booking", 30)
        room = caller.room.name
        [started] = [
            r for r in worker.records() if r.get("message") == "call started"
            and r.get("session") == room
        ]  # fmt: skip
        # One agent in the call until now: the watch never doubled it.
        assert len(caller.room.remote_participants) == 1
        lost = caller.agent()
        assert lost is not None
        killed = time.monotonic()
        os.kill(int(str(started["pid"])), signal.SIGKILL)

        def new_agent() -> bool:
            agent = caller.agent()
            return agent is not None and agent.identity != lost.identity

        await until(new_agent, "a new agent in the room", 60)
        await greeted(caller, time.monotonic(), 30)
        report("job process killed mid-call", time.monotonic() - killed)
        wait_for(
            lambda: any(
                r.get("message") == "call resumed" and r.get("session") == room
                for r in worker.records()
            ),
            "the new agent to pick the call up",
            20,
        )
        [resumed] = [
            r for r in worker.records() if r.get("message") == "call resumed"
            and r.get("session") == room
        ]  # fmt: skip
        assert resumed["bookings"] == 1
    booked, _ = await call_records.call_history(room)
    assert [r.status for r in booked] == ["confirmed"]
    # The call watch marked the call dropped; the new agent continued the same record.
    call_id = await call_log.call_of_session(room)
    assert call_id is not None
    found = await call_log.call(call_id)
    assert found is not None
    record, lines = found
    assert (record.drops, record.resumptions) == (1, 1)
    assert record.booked == [booked[0].confirmation_code]
    assert [line.speaker for line in lines].count("caller") == 2


async def test_with_no_worker_the_caller_is_told_to_phone(
    livekit_binary: str, migrated_url: str
) -> None:
    # Two API processes, as behind a load balancer: one of them watches the rooms.
    async with fault_stack(livekit_binary, migrated_url, apis=2) as stack:
        [worker] = stack.workers
        assert worker.process is not None
        # The only worker is terminated (it drains, with no call to finish, and exits).
        worker.process.send_signal(signal.SIGTERM)
        joined = time.monotonic()
        async with calling(stack) as caller:
            await until(lambda: bool(caller.statuses), "the honest answer", 60)
            report("no worker: caller told", time.monotonic() - joined)
            [status] = caller.statuses[:1]
            assert status["type"] == "agent.unavailable"
            assert RESTAURANT_PHONE in str(status["message"])
            assert caller.agent() is None
        watching = [api for api in stack.apis if "watching call rooms" in api.output()]
        assert len(watching) == 1
        told = sum(api.output().count("caller told no agent is coming") for api in stack.apis)
        assert told >= 1 and len(caller.statuses) == told


async def test_a_second_worker_takes_the_call_when_the_first_drains(
    livekit_binary: str, migrated_url: str
) -> None:
    async with fault_stack(livekit_binary, migrated_url, workers=2) as stack:
        draining = stack.workers[0]
        assert draining.process is not None
        draining.process.send_signal(signal.SIGTERM)
        joined = time.monotonic()
        async with calling(stack) as caller:
            served = await greeted(caller, joined, 60)
            report("one of two workers draining", served)
            assert caller.statuses == []


async def test_a_caller_right_after_a_livekit_server_restart_gets_an_agent(
    livekit_binary: str, migrated_url: str
) -> None:
    async with fault_stack(livekit_binary, migrated_url) as stack:
        stack.livekit.stop()
        stack.livekit.start()
        # Before the worker has registered again: livekit-server has nobody to dispatch to.
        joined = time.monotonic()
        async with calling(stack) as caller:
            served = await greeted(caller, joined, 60)
            report("livekit-server restarted, caller right after", served)
