"""The worker's Prometheus metrics move with a real call: scraped before, during and after a
booking over WebRTC (real LiveKit server, worker and job process; scripted models)."""

from __future__ import annotations

import os
import re
import signal

import httpx
from prometheus_client.parser import text_string_to_metric_families

from core.db.reservations import ReservationStore
from testkit.caller import Caller
from tests.support.stacks import Stack, book_and_hear_the_code, until, until_async

BOOKED = {"outcome": "booked"}
# livekit-agents' line when its metrics server listens (WORKER_METRICS_PORT=0: a free port).
LISTENING = re.compile(r"Prometheus metrics exposed at (http://[^/\s]+/metrics)")


async def scrape(stack: Stack) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample the worker serves now, by name and labels."""
    found = LISTENING.search(stack.worker.output())
    assert found is not None, "the worker logged no metrics address"
    async with httpx.AsyncClient() as client:
        response = await client.get(found.group(1), timeout=10)
    response.raise_for_status()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float],
    name: str,
    labels: dict[str, str] | None = None,
) -> float:
    return samples.get((name, frozenset((labels or {}).items())), 0.0)


async def until_idle(stack: Stack, what: str) -> None:
    async def idle() -> bool:
        return value(await scrape(stack), "receptionist_worker_calls_in_progress") == 0

    await until_async(idle, what, 60)


async def test_a_call_moves_the_workers_metrics(stack: Stack, store: ReservationStore) -> None:
    # `store` empties the tables: an earlier module's call (test_turn_taking) booked the same
    # number on the same day, and a second booking would be refused as a repeat.
    # An earlier test's call on this stack may still be ending.
    await until_idle(stack, "the worker's earlier calls to end")
    before = await scrape(stack)
    booked = value(before, "receptionist_worker_calls_ended_total", BOOKED)
    replies = value(before, "receptionist_worker_reply_delay_seconds_count")

    caller = Caller()
    try:
        await caller.join(stack.api_base)
        await until(lambda: caller.agent_voiced_frames > 0, "the agent's greeting")
        during = await scrape(stack)
        assert value(during, "receptionist_worker_calls_in_progress") == 1
        await book_and_hear_the_code(caller)
    finally:
        await caller.leave()

    async def counted() -> bool:
        now = await scrape(stack)
        return value(now, "receptionist_worker_calls_ended_total", BOOKED) == booked + 1

    await until_async(counted, "the call to be counted as booked", 60)
    after = await scrape(stack)
    assert value(after, "receptionist_worker_calls_in_progress") == 0
    # The greeting's reply has no caller's turn before it; the answers to both turns do.
    assert value(after, "receptionist_worker_reply_delay_seconds_count") >= replies + 2
    assert value(after, "receptionist_worker_reply_delay_seconds_sum") > 0
    # Nothing failed in this call.
    assert not [key for key in after if key[0] == "receptionist_worker_tool_errors_total"]
    assert after[("receptionist_db_timeouts_total", frozenset())] == 0


async def test_a_killed_job_process_is_no_longer_a_call_in_progress(stack: Stack) -> None:
    await until_idle(stack, "the worker's earlier calls to end")
    ended = await scrape(stack)
    caller = Caller()
    try:
        await caller.join(stack.api_base)
        await until(lambda: caller.agent_voiced_frames > 0, "the agent's greeting")
        assert value(await scrape(stack), "receptionist_worker_calls_in_progress") == 1
        [started] = [
            r for r in stack.worker.records()
            if r.get("message") == "call started" and r.get("session") == caller.room.name
        ]  # fmt: skip
        # Killed, it cannot say its call is over: the worker drops its live gauge.
        os.kill(int(str(started["pid"])), signal.SIGKILL)
    finally:
        await caller.leave()
    await until_idle(stack, "the killed call to leave the gauge")
    # Nor did it end as a call: no outcome moved.
    after = await scrape(stack)
    assert {k: v for k, v in after.items() if k[0] == "receptionist_worker_calls_ended_total"} == {
        k: v for k, v in ended.items() if k[0] == "receptionist_worker_calls_ended_total"
    }
