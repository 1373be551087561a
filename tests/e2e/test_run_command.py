"""`receptionist up`, what the README's run command starts: the whole local stack comes up,
takes a call, and Ctrl-C stops everything it started."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from core.settings import PROJECT_ROOT
from tests.e2e.caller import Caller
from tests.e2e.harness import (
    TOOLS_BIN,
    LiveKitServer,
    free_port,
    listening,
    service_env,
    wait_for,
)

pytestmark = [pytest.mark.db, pytest.mark.e2e]

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


async def test_the_run_command_brings_up_the_stack_and_ctrl_c_stops_it(
    livekit_binary: str, migrated_url: str, tmp_path: Path
) -> None:
    # Not the session's stack: `up` starts its own livekit-server, API and worker. Only the
    # ports differ from the committed livekit.yaml, so it can run beside anything else.
    livekit = LiveKitServer(livekit_binary, tmp_path, target_load=100.0)
    # The server's port comes from LIVEKIT_URL, whatever the file says.
    config_path = tmp_path / "livekit.yaml"
    config = yaml.safe_load(config_path.read_text())
    config_path.write_text(yaml.safe_dump({**config, "port": free_port()}))
    api_port = free_port()
    env = service_env(
        migrated_url,
        livekit.url,
        LIVEKIT_SERVER_CONFIG=str(config_path),
        API_PORT=str(api_port),
        DATA_DIR=str(tmp_path / "data"),
        PATH=f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}",
    )
    log = tmp_path / "up.log"
    with log.open("wb") as output:
        up = subprocess.Popen(
            [str(RECEPTIONIST), "up"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started: dict[int, str] = {}
    try:
        wait_for(lambda: "Ctrl-C stops everything" in log.read_text(), "up to say it is up", 60)
        api_base = f"http://127.0.0.1:{api_port}"
        assert f"open {api_base}/ and press 'Call the restaurant'" in log.read_text()
        wait_for(lambda: healthy(api_base), "the API to answer /healthz")

        # A call through the stack `up` started: nothing else is registered with its server.
        caller = Caller()
        try:
            await caller.join(api_base)
            deadline = time.monotonic() + 45
            while caller.agent_voiced_frames == 0:
                assert time.monotonic() < deadline, f"no greeting; see {log}"
                await asyncio.sleep(0.05)
        finally:
            await caller.leave()

        started = process_tree(up.pid)
        commands = " | ".join(started.values())
        assert "livekit-server" in commands and "uvicorn" in commands and "agent" in commands

        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=60) == 0
        wait_for(lambda: not started.keys() & live_processes().keys(), "its children to exit", 15)
        assert not listening(livekit.port) and not listening(api_port)
    finally:
        if up.poll() is None:
            up.kill()
        for pid in started:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def healthy(api_base: str) -> bool:
    try:
        return httpx.get(f"{api_base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
