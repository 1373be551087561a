"""`receptionist up` keeps its stack running: a child that dies is restarted and logged."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from testkit.caller import Caller
from testkit.stack import LiveKitServer, wait_for
from tests.support.run_command import healthy, live_processes, receptionist_up, up_env


def children_running(parent: int, marker: str) -> list[int]:
    """`parent`'s own children whose command line holds `marker` (arguments NUL-separated)."""
    return [
        pid
        for pid, (ppid, command) in live_processes().items()
        if ppid == parent and marker in command
    ]


async def test_a_killed_worker_and_api_are_restarted_and_calls_are_answered_again(
    livekit_binary: str, migrated_url: str, tmp_path: Path
) -> None:
    livekit = LiveKitServer(livekit_binary, tmp_path, target_load=100.0)
    env = up_env(livekit, migrated_url, tmp_path)
    with receptionist_up(env, tmp_path, (livekit.port, int(env["API_PORT"]))) as up:
        for name, marker in (("agent", "-m\0agent\0"), ("api", "-m\0uvicorn\0")):
            [pid] = children_running(up.process.pid, marker)
            os.kill(pid, signal.SIGKILL)
            wait_for(up.says(f"{name} restarted (restart 1)."), f"up to restart the {name}", 60)
            assert f"{name} stopped (exit status -9); restarting it in 1 s." in up.output()
        wait_for(lambda: up.output().count("registered worker") >= 2, "the worker again", 90)
        wait_for(lambda: healthy(up.api_base), "the restarted API to answer /healthz", 60)

        caller = Caller()
        try:
            await caller.join(up.api_base)
            deadline = time.monotonic() + 60
            while caller.agent_voiced_frames == 0:
                assert time.monotonic() < deadline, "no greeting after the restarts"
                await asyncio.sleep(0.05)
        finally:
            await caller.leave()
        up.ctrl_c()
