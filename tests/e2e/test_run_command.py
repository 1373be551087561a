"""`receptionist up`, what the README's run command starts: the whole local stack comes up,
takes a call, and Ctrl-C stops everything it started."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from testkit.caller import Caller
from testkit.stack import LiveKitServer, free_port, wait_for
from tests.support.phone import Phone, compose, loudest
from tests.support.run_command import (
    healthy,
    process_tree,
    receptionist_up,
    telephony_settings,
    up_env,
)
from tests.support.stacks import PHONE_CALLS


async def test_the_run_command_brings_up_the_stack_and_ctrl_c_stops_it(
    livekit_binary: str, migrated_url: str, tmp_path: Path
) -> None:
    # Not the session's stack: `up` starts its own livekit-server, API and worker. Only the
    # ports differ from the committed livekit.yaml, so it can run beside anything else.
    livekit = LiveKitServer(livekit_binary, tmp_path, target_load=100.0)
    env = up_env(livekit, migrated_url, tmp_path)
    with receptionist_up(env, tmp_path, (livekit.port, int(env["API_PORT"]))) as up:
        assert f"open {up.api_base}/ and press 'Call the restaurant'" in up.output()
        wait_for(lambda: healthy(up.api_base), "the API to answer /healthz")

        # A call through the stack `up` started: nothing else is registered with its server.
        caller = Caller()
        try:
            await caller.join(up.api_base)
            deadline = time.monotonic() + 45
            while caller.agent_voiced_frames == 0:
                assert time.monotonic() < deadline, "no greeting"
                await asyncio.sleep(0.05)
        finally:
            await caller.leave()

        commands = " | ".join(process_tree(up.process.pid).values())
        assert "livekit-server" in commands and "uvicorn" in commands and "agent" in commands
        up.ctrl_c()


async def test_without_an_openai_key_it_runs_all_but_the_worker_and_says_so(
    livekit_binary: str, migrated_url: str, tmp_path: Path
) -> None:
    livekit = LiveKitServer(livekit_binary, tmp_path)
    env = up_env(livekit, migrated_url, tmp_path, OPENAI_API_KEY="")
    with receptionist_up(env, tmp_path, (livekit.port, int(env["API_PORT"]))) as up:
        assert "the voice worker is not running; set it in .env" in up.output()
        assert "no agent answers until OPENAI_API_KEY is set" in up.output()
        wait_for(lambda: healthy(up.api_base), "the API to answer /healthz")
        # On loopback, with API_DOCS unset, only this machine reaches the interactive docs.
        assert f"Staff API:    {up.api_base}/docs" in up.output()
        assert httpx.get(f"{up.api_base}/docs", timeout=10).status_code == 200
        commands = " | ".join(process_tree(up.process.pid).values())
        assert "livekit-server" in commands and "uvicorn" in commands
        assert "-m agent" not in commands
        up.ctrl_c()


async def test_with_telephony_on_it_also_runs_redis_and_livekit_sip_and_answers_the_phone(
    livekit_binary: str, telephony_programs: dict[str, str], migrated_url: str, tmp_path: Path
) -> None:
    livekit = LiveKitServer(livekit_binary, tmp_path, target_load=100.0)
    telephony, sip_port = telephony_settings(tmp_path)
    redis_port = free_port()
    env = up_env(
        livekit,
        migrated_url,
        tmp_path,
        # Nothing listens there, so `up` starts its own Redis.
        REDIS_URL=f"redis://127.0.0.1:{redis_port}",
        models=PHONE_CALLS,
        **telephony,
    )
    ports = (livekit.port, int(env["API_PORT"]), redis_port, sip_port)
    with receptionist_up(env, tmp_path, ports) as up:
        dial = f"sip:+6562214780@127.0.0.1:{sip_port}"
        assert f"Phone calls:  dial {dial}" in up.output()
        commands = " | ".join(process_tree(up.process.pid).values())
        for program in ("redis-server", "livekit-server", "livekit-sip", "uvicorn", "-m agent"):
            assert program in commands

        # `up` provisioned the trunk and the dispatch rule: a phone call is answered.
        microphone = tmp_path / "caller.wav"
        seconds = compose(microphone, [3.0, "thanks", 30.0])
        phone = Phone("caller", tmp_path, "+6598207272", microphone)
        phone.configure()
        phone.start(f"/dial {dial}", seconds=seconds + 30)
        try:
            wait_for(lambda: "terminated" in phone.output(), "the agent to end the call", 90)
        finally:
            phone.stop()
        assert "audio error" not in phone.output(), "nobody hung up before the script ended"
        [heard] = phone.heard()
        assert loudest(heard) > 0.02
        up.ctrl_c()
