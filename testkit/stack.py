"""Real processes on loopback for the end-to-end tests and the voice benchmarks: livekit-server
(the project's livekit.yaml on free ports), the API and a voice worker, each logging to a file."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from core.settings import PROJECT_ROOT

TOOLS_BIN = PROJECT_ROOT / ".tools" / "bin"
API_KEY = "e2e-staff-key"
LIVEKIT_KEY = "e2e-key"
LIVEKIT_SECRET = "e2e-secret-e2e-secret-e2e-secret-e2e"


def sample_without_closed_dates() -> str:
    """The sample restaurant.toml, open on its weekdays whatever the date.

    Every scripted call books "next Saturday", and the sample closes on some dates (a Saturday
    among them), so against the sample itself the tests would fail in the week before one.
    """
    text = (PROJECT_ROOT / "restaurant.toml").read_text()
    opened = re.sub(r"(?m)^closed_dates = \[.*\]$", "closed_dates = []", text)
    assert opened.count("closed_dates = []") == 1
    return opened


@functools.cache
def scripted_calls_restaurant() -> Path:
    """Where the worker and the API read `sample_without_closed_dates` from."""
    path = Path(tempfile.mkdtemp(prefix="e2e-restaurant-")) / "restaurant.toml"
    path.write_text(sample_without_closed_dates())
    return path


def find_livekit_server() -> str | None:
    return shutil.which("livekit-server", path=f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Process:
    """A child process whose output goes to a log file the test can read."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.argv, cwd=PROJECT_ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )

    def start_and_wait(self, ready: Callable[[], bool], what: str, timeout: float = 30) -> None:
        """Start, and wait until `ready`; a process that never gets there is stopped, not leaked."""
        self.start()
        try:
            wait_for(ready, what, timeout)
        except TimeoutError:
            self.stop()
            raise TimeoutError(f"timed out waiting for {what}; see {self.log}") from None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def records(self) -> list[dict[str, object]]:
        """The JSON log records (livekit-agents logs JSON in `start` mode)."""
        found = []
        for line in self.output().splitlines():
            if line.startswith("{"):
                with contextlib.suppress(json.JSONDecodeError):
                    found.append(json.loads(line))
        return found

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class LiveKitServer:
    binary: str
    workdir: Path
    # livekit-server offers a job only to a worker whose reported CPU load is below its
    # agents.target_load; None keeps livekit.yaml's.
    target_load: float | None = None
    # The `redis:` section, for telephony (livekit-sip reaches the server through Redis).
    redis: dict[str, object] | None = None
    port: int = field(default_factory=free_port)
    tcp_port: int = field(default_factory=free_port)
    udp_port: int = field(default_factory=lambda: free_port(socket.SOCK_DGRAM))
    # The ports of the APIs its webhooks go to (start_api's `port`): livekit-server sends each
    # event to every one, and an API of another agent name on this server needs them too.
    api_ports: tuple[int, ...] = field(default_factory=lambda: (free_port(), free_port()))

    def __post_init__(self) -> None:
        # The project's livekit.yaml, on ports free for this run.
        config = yaml.safe_load((PROJECT_ROOT / "livekit.yaml").read_text())
        config["port"] = self.port
        config["rtc"]["tcp_port"] = self.tcp_port
        config["rtc"]["udp_port"] = self.udp_port
        if self.target_load is not None:
            config["agents"] = {**(config.get("agents") or {}), "target_load": self.target_load}
        if self.redis is not None:
            config["redis"] = self.redis
        config["webhook"] = {
            "api_key": LIVEKIT_KEY,
            "urls": [f"http://127.0.0.1:{port}/livekit/webhook" for port in self.api_ports],
        }
        config_path = self.workdir / "livekit.yaml"
        config_path.write_text(yaml.safe_dump(config))
        env = dict(os.environ, LIVEKIT_KEYS=f"{LIVEKIT_KEY}: {LIVEKIT_SECRET}")
        self.child = Process(
            "livekit-server",
            [self.binary, "--config", str(config_path)],
            env,
            self.workdir / "livekit-server.log",
        )

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.child.start_and_wait(lambda: listening(self.port), "livekit-server to listen")

    def stop(self) -> None:
        self.child.stop()
        wait_for(lambda: not listening(self.port), "livekit-server to stop")


def service_env(
    database_url: str, livekit_url: str, *, models: str, **extra: str
) -> dict[str, str]:
    """The API's and the worker's environment: this stack's keys and the stand-in `models`
    (SPEECH_MODELS_FACTORY, `module:function`), with `extra` on top."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        API_KEY=API_KEY,
        LIVEKIT_URL=livekit_url,
        LIVEKIT_API_KEY=LIVEKIT_KEY,
        LIVEKIT_API_SECRET=LIVEKIT_SECRET,
        OPENAI_API_KEY="not-used-by-the-stand-ins",
        # Always named by the caller: testkit knows no test's or benchmark's models.
        SPEECH_MODELS_FACTORY=models,
        AGENT_NAME="",
        RESTAURANT_CONFIG=str(scripted_calls_restaurant()),
        # Chromium and the server share this machine's two cores with the worker; a busy CPU
        # must not make the worker refuse the test's calls (at 1.0 it still did: a saturated
        # machine reports exactly 1.0).
        WORKER_LOAD_THRESHOLD="inf",
        WORKER_PORT="0",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_api(env: dict[str, str], workdir: Path, port: int | None = None) -> tuple[Process, str]:
    """The API, on `port` (one its LiveKit server's webhooks go to, LiveKitServer.api_ports) or
    a free one."""
    port = port or free_port()
    api = Process(
        "api",
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        env,
        workdir / "api.log",
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    # Generous: on a busy 2-core machine the API's imports alone can take many seconds.
    api.start_and_wait(lambda: answers(f"{base}/healthz"), "the API to answer /healthz", 90)
    return api, base


def answers(url: str) -> bool:
    """Whether a GET of `url` answers 200 now (a health check)."""
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def start_worker(env: dict[str, str], workdir: Path) -> Process:
    worker = Process("agent", [sys.executable, "-m", "agent", "start"], env, workdir / "worker.log")
    worker.start_and_wait(
        lambda: "registered worker" in worker.output(), "the worker to register", 120
    )
    return worker


@contextlib.contextmanager
def api_and_worker(
    env: dict[str, str], workdir: Path, port: int | None = None
) -> Iterator[tuple[str, Process]]:
    """An API (on `port`, as start_api) and a worker with these settings, logging under
    `workdir`; both stopped after, also when the worker fails to start."""
    workdir.mkdir()
    api, api_base = start_api(env, workdir, port)
    try:
        worker = start_worker(env, workdir)
        try:
            yield api_base, worker
        finally:
            worker.stop()
    finally:
        api.stop()
