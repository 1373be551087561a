"""`receptionist up` as a child process (tests/e2e/test_run_command.py, test_supervision.py): its
environment on this run's ports, its output, Ctrl-C, and the processes it started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from core.settings import PROJECT_ROOT
from ops.sip import read_sip_config
from testkit.stack import TOOLS_BIN, LiveKitServer, free_port, listening, wait_for
from tests.support.phone import rtp_range
from tests.support.stacks import service_env

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


def telephony_settings(tmp_path: Path) -> tuple[dict[str, str], int]:
    """Telephony on for `up`, with the project's sip.yaml on free ports; and its SIP port."""
    sip_port = free_port(socket.SOCK_DGRAM)
    sip_config = tmp_path / "sip.yaml"
    config = read_sip_config(PROJECT_ROOT / "sip.yaml") | {
        "sip_port": sip_port,
        "rtp_port": rtp_range(),
    }
    sip_config.write_text(yaml.safe_dump(config))
    return {"SIP_ENABLED": "true", "SIP_CONFIG": str(sip_config)}, sip_port


def healthy(api_base: str) -> bool:
    try:
        return httpx.get(f"{api_base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
