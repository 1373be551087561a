"""`receptionist up`: the whole local stack as child processes, stopped together on Ctrl-C."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from core.database import database_url
from core.settings import PROJECT_ROOT, Settings, get_settings

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
TOOLS_BIN = PROJECT_ROOT / ".tools" / "bin"


class Stack:
    """Starts children in order and stops them in reverse; the embedded database goes last."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str]) -> None:
        # Each child gets its own process group so Ctrl-C reaches it only through us, in order.
        child = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=os.environ, start_new_session=True)
        self.children.append((name, child))

    def wait(self) -> int:
        """Block until Ctrl-C/SIGTERM or a child dies; then stop everything."""
        stop = False

        def request_stop(signum: int, frame: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        failed = 0
        while not stop:
            for name, child in self.children:
                if child.poll() is not None:
                    print(f"{name} exited with status {child.returncode}; stopping.", flush=True)
                    failed, stop = 1, True
                    break
            time.sleep(0.2)
        self.stop()
        return failed

    def stop(self) -> None:
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def up(settings: Settings) -> int:
    """Database, LiveKit server, API and voice worker, with how to talk to the agent."""
    stack = Stack()
    os.environ["DATABASE_URL"] = database_url(settings)
    os.environ.setdefault("API_KEY", _dev_secret(settings, "dev-api-key"))
    if needs_local_livekit(settings.livekit_url):
        os.environ.setdefault("LIVEKIT_API_KEY", "devkey")
        os.environ.setdefault("LIVEKIT_API_SECRET", _dev_secret(settings, "livekit-secret"))
        os.environ["LIVEKIT_KEYS"] = (
            f"{os.environ['LIVEKIT_API_KEY']}: {os.environ['LIVEKIT_API_SECRET']}"
        )
        stack.start("livekit-server", [_livekit_server(), "--config", "livekit.yaml"])
        _wait_for_port(settings.livekit_url)
    os.environ.setdefault("LIVEKIT_URL", settings.livekit_url)
    get_settings.cache_clear()
    python = sys.executable
    api = f"http://{settings.api_host}:{settings.api_port}"
    stack.start(
        "api",
        [python, "-m", "uvicorn", "api.main:app", "--host", settings.api_host,
         "--port", str(settings.api_port), "--no-access-log"],
    )  # fmt: skip
    if settings.openai_api_key:
        stack.start("agent", [python, "-m", "agent", "dev"])
    else:
        print("OPENAI_API_KEY is not set, so the voice worker is not running; set it in .env.")
    print(
        f"\nStaff API:   {api}/docs  (Authorization: Bearer {os.environ['API_KEY']})\n"
        f"Caller token: curl -X POST {api}/api/token\n"
        f"LiveKit:     {os.environ['LIVEKIT_URL']}\n"
        "Talk to the agent: open the LiveKit Agents Playground, choose a manual connection with "
        "the LiveKit URL above and a token from the caller-token command.\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )
    return stack.wait()


def needs_local_livekit(url: str) -> bool:
    """A loopback LiveKit URL with nothing listening: start one ourselves."""
    parsed = urlparse(url)
    if parsed.hostname not in LOOPBACK:
        return False
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((parsed.hostname, parsed.port or 7880)) != 0


def _livekit_server() -> str:
    found = shutil.which("livekit-server", path=f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}")
    if found is None:
        sys.exit("livekit-server is not installed: run scripts/setup-livekit.")
    return found


def _wait_for_port(url: str, timeout: float = 20) -> None:
    parsed = urlparse(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((parsed.hostname or "127.0.0.1", parsed.port or 7880)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"livekit-server did not start listening on {url}")


def _dev_secret(settings: Settings, name: str) -> str:
    """A random secret generated once and kept in the data folder, for local development."""
    path: Path = settings.data_dir / name
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value
