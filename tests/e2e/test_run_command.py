"""`receptionist up`, what the README's run command starts: the whole local stack comes up,
takes a call, and Ctrl-C stops everything it started."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from core.settings import PROJECT_ROOT
from ops.sip import read_sip_config
from tests.e2e.caller import Caller
from tests.e2e.harness import (
    TOOLS_BIN,
    LiveKitServer,
    free_port,
    listening,
    service_env,
    wait_for,
)
from tests.e2e.phone import Phone, compose, loudest, rtp_range

RECEPTIONIST = Path(sys.executable).parent / "receptionist"


def live_processes() -> dict[int, tuple[int, str]]:
    """Every live (not zombie) process: its parent and its command line."""
    found: dict[int, tuple[int, str]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            state, ppid = (proc / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            if state != "Z":
                found[int(proc.name)] = (int(ppid), (proc / "cmdline").read_text())
        except (OSError, ValueError):
            continue  # it exited while we looked
    return found


def process_tree(root: int) -> dict[int, str]:
    """Every live process under `root`, with its command line."""
    processes = live_processes()
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        current = todo.pop()
        children = [pid for pid, (parent, _) in processes.items() if parent == current]
        found.update((pid, processes[pid][1].replace("\0", " ")) for pid in children)
        todo.extend(children)
    return found


@dataclass
class Up:
    """`receptionist up` running as a child, with its output in `log`."""

    process: subprocess.Popen[bytes]
    log: Path
    api_base: str
    ports: tuple[int, ...]
    started: dict[int, str] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def says(self, text: str) -> Callable[[], bool]:
        """A readiness check: `up` has printed `text`."""
        return lambda: text in self.output()

    def ctrl_c(self) -> None:
        """Press Ctrl-C; `up` must stop every process it started and free their ports."""
        self.started = process_tree(self.process.pid)
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(timeout=60) == 0
        alive = self.started.keys()
        wait_for(lambda: not alive & live_processes().keys(), "its children to exit", 15)
        assert not any(listening(port) for port in self.ports)


@contextlib.contextmanager
def receptionist_up(env: dict[str, str], tmp_path: Path, ports: tuple[int, ...]) -> Iterator[Up]:
    log = tmp_path / "up.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(RECEPTIONIST), "up"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    up = Up(process, log, f"http://127.0.0.1:{env['API_PORT']}", ports)
    try:
        wait_for(lambda: "Ctrl-C stops everything" in up.output(), "up to say it is up", 60)
        yield up
    finally:
        # Also when the test failed half-way: nothing may outlive it. Its children run in
        # sessions of their own, so they are found before `up` goes and they lose their parent.
        children = up.started or process_tree(process.pid)
        if process.poll() is None:
            process.kill()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        print(up.output()[-6000:])  # pytest shows it when the test failed


def up_env(
    livekit: LiveKitServer, database_url: str, tmp_path: Path, **extra: str
) -> dict[str, str]:
    """The environment for `up` on this run's ports, with `extra` on top."""
    # The server's port comes from LIVEKIT_URL, whatever the file says.
    config_path = tmp_path / "livekit.yaml"
    config = yaml.safe_load(config_path.read_text())
    config_path.write_text(yaml.safe_dump({**config, "port": free_port()}))
    return service_env(
        database_url,
        livekit.url,
        LIVEKIT_SERVER_CONFIG=str(config_path),
        API_PORT=str(free_port()),
        DATA_DIR=str(tmp_path / "data"),
        PATH=f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}",
        **extra,
    )


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
        commands = " | ".join(process_tree(up.process.pid).values())
        assert "livekit-server" in commands and "uvicorn" in commands
        assert "-m agent" not in commands
        up.ctrl_c()


async def test_with_telephony_on_it_also_runs_redis_and_livekit_sip_and_answers_the_phone(
    livekit_binary: str, telephony_programs: dict[str, str], migrated_url: str, tmp_path: Path
) -> None:
    livekit = LiveKitServer(livekit_binary, tmp_path, target_load=100.0)
    sip_port, redis_port = free_port(socket.SOCK_DGRAM), free_port()
    sip_config = tmp_path / "sip.yaml"
    config = read_sip_config(PROJECT_ROOT / "sip.yaml") | {
        "sip_port": sip_port,
        "rtp_port": rtp_range(),
    }
    sip_config.write_text(yaml.safe_dump(config))
    env = up_env(
        livekit,
        migrated_url,
        tmp_path,
        SIP_ENABLED="true",
        SIP_CONFIG=str(sip_config),
        # Nothing listens there, so `up` starts its own Redis.
        REDIS_URL=f"redis://127.0.0.1:{redis_port}",
        SPEECH_MODELS_FACTORY="tests.support.e2e_models:phone_calls",
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


def healthy(api_base: str) -> bool:
    try:
        return httpx.get(f"{api_base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
