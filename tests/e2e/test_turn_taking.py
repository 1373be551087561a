"""Turn-taking over a real room: a number read in two groups is one turn, a yes is taken fast.

A worker of its own (dispatched by name, like tests/e2e/test_dispatch.py) runs the stand-ins of
tests/support/e2e_turns.py; everything else is real: livekit-server, WebRTC and Opus, the
native VAD, livekit-agents' turn handling and our endpointing, the agents and PostgreSQL.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from core.db.reservations import ReservationStore
from core.settings import Settings
from testkit.caller import Caller
from testkit.stack import Process, api_and_worker
from tests.support.e2e_turns import ASK_PHONE, ONLY_PART
from tests.support.stacks import NUMBER_IN_GROUPS, Stack, service_env, until

AGENT_NAME = "turn-taking-e2e"
QUICK = Settings.model_fields["turn_quick_seconds"].default
VAD_SILENCE = Settings.model_fields["vad_min_silence_seconds"].default
# Free text's delay, a little over the product's 0.5 s so that a yes taken at it fails the
# timing check below; still short enough that a number endpointed as free text would be cut
# in its 0.8 s pause.
DEFAULT = 0.6
# The VAD counts silence in whole 32 ms windows: a quick turn cannot end sooner.
QUICK_FLOOR = max(QUICK, math.ceil(VAD_SILENCE / 0.032) * 0.032)
# Event-loop and thread scheduling on a busy 2-core machine, between the VAD's decision and the
# commit (0.26 s measured on a quiet one, for a 0.256 s floor).
SLACK = 0.3


@dataclass
class TurnWorker:
    api_base: str
    worker: Process

    def turns(self, room: str) -> list[dict[str, object]]:
        """The caller turns the worker committed in `room`, as it logged them."""
        return [
            r
            for r in self.worker.records()
            if r.get("message") == "turn taken" and r.get("session") == room
        ]


@pytest.fixture(scope="module")
def turn_worker(stack: Stack, migrated_url: str) -> Iterator[TurnWorker]:
    env = service_env(
        migrated_url,
        stack.livekit.url,
        AGENT_NAME=AGENT_NAME,
        models=NUMBER_IN_GROUPS,
        TURN_DEFAULT_SECONDS=str(DEFAULT),
    )
    with api_and_worker(env, stack.workdir / "turn-taking", stack.livekit.api_ports[1]) as (
        api_base,
        worker,
    ):
        yield TurnWorker(api_base, worker)


def seconds(record: dict[str, object], key: str) -> float:
    return float(str(record[key]))


async def test_a_number_in_two_groups_is_one_turn_and_yes_is_taken_quickly(
    turn_worker: TurnWorker, store: ReservationStore
) -> None:
    caller = Caller()
    wall = time.time() - time.monotonic()
    try:
        await caller.join(turn_worker.api_base)
        await until(lambda: caller.agent_voiced_frames > 0, "the agent's greeting")
        await caller.silence(1.0)
        await caller.say("turns/gb-free-2.wav", trailing_silence=1.0)
        await until(lambda: ASK_PHONE in caller.said_by("agent"), "the agent to ask the number")
        # "nine eight two zero" ... 0.8 s ... "seven two seven two"
        await caller.say("turns/sc-phone-1.wav", trailing_silence=2.0)
        await until(
            lambda: any(
                ("Shall I book it?" in t or ONLY_PART in t) for t in caller.said_by("agent")
            ),
            "the agent to read the booking back",
        )
        assert ONLY_PART not in caller.said_by("agent"), "the number was cut off in its pause"
        await caller.say("turns/gb-yes-1.wav", trailing_silence=1.5)
        said_yes = caller.last_voiced_frame_sent_at + wall
        await until(lambda: bool(caller.notices), "the booking")
    finally:
        await caller.leave()
    room = caller.room.name

    request, number, yes = turn_worker.turns(room)
    assert (request["expected"], number["expected"], yes["expected"]) == (
        "free_text",
        "phone",
        "yes_no",
    )
    # One turn with the whole number: the pause after four digits held it open.
    assert (number["words"], number["reason"]) == (8, "whole_phone")
    [booked] = [n for n in caller.notices if n["type"] == "reservation.created"]
    row = await store.get_by_code(str(booked["confirmation_code"]))
    assert row is not None and row.phone_number == "+6598207272"

    # The yes: committed the quick delay after the speech the worker heard, not the default.
    assert (yes["reason"], yes["delay"]) == ("yes_or_no", QUICK)
    waited = seconds(yes, "end_of_turn_delay")
    committed = seconds(yes, "stopped_speaking_at") + waited
    # What it took the caller's last sound to reach the worker and be dated by its VAD.
    transport = seconds(yes, "stopped_speaking_at") - said_yes
    assert committed - said_yes <= QUICK_FLOOR + transport + SLACK, (
        f"the yes waited {waited:.3f} s after the speech heard ({transport:.3f} s after the "
        f"caller's last sound was sent); quick {QUICK_FLOOR:.3f} s, default {DEFAULT} s"
    )
