"""With AGENT_NAME set, the worker joins only the rooms our tokens dispatch it to."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from testkit.caller import Caller
from testkit.stack import Process, api_and_worker
from tests.support.stacks import Stack, service_env

AGENT_NAME = "tanjong-receptionist"


@dataclass
class Named:
    api_base: str
    worker: Process

    def rooms_joined(self) -> set[str]:
        return {
            str(r["room"])
            for r in self.worker.records()
            if r.get("message") == "received job request"
        }


@pytest.fixture(scope="module")
def named(stack: Stack, migrated_url: str) -> Iterator[Named]:
    """A second API and worker on the same server and database, registered under a name."""
    env = service_env(migrated_url, stack.livekit.url, AGENT_NAME=AGENT_NAME)
    with api_and_worker(env, stack.workdir / "named", stack.livekit.api_ports[1]) as (
        api_base,
        worker,
    ):
        yield Named(api_base, worker)


async def joined_by_agent(api_base: str, timeout: float = 30) -> str:
    """Join through `api_base`'s token endpoint; the room's name once an agent has greeted."""
    caller = Caller()
    try:
        await caller.join(api_base)
        deadline = time.monotonic() + timeout
        while caller.agent_voiced_frames == 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no agent greeted in {caller.room.name}")
            await asyncio.sleep(0.05)
        return caller.room.name
    finally:
        await caller.leave()


async def test_a_token_dispatches_the_named_worker_and_only_it(stack: Stack, named: Named) -> None:
    room = await joined_by_agent(named.api_base)
    assert room in named.rooms_joined()
    # The room's configuration names the agent, so the unnamed worker is not sent there.
    unnamed = [r for r in stack.worker.records() if r.get("message") == "received job request"]
    assert room not in {str(r["room"]) for r in unnamed}


async def test_the_named_worker_stays_out_of_rooms_nobody_dispatched_it_to(
    stack: Stack, named: Named
) -> None:
    # Tokens from the unnamed deployment carry no dispatch: its own worker answers.
    room = await joined_by_agent(stack.api_base)
    assert room not in named.rooms_joined()
