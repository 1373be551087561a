"""`receptionist up`: the whole local stack as child processes (receptionist/children.py),
supervised, and stopped together on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import yaml

from core.errors import StartupError
from core.settings import PROJECT_ROOT, Settings, get_settings
from receptionist.children import Stack
from receptionist.startup import start_up

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
TOOLS_BIN = PROJECT_ROOT / ".tools" / "bin"


# livekit-agents logs this once the worker can be sent calls. A room created before then never
# gets an agent (livekit-server dispatches when the room is created), so `up` waits for it.
WORKER_REGISTERED = b"registered worker"
READY_TIMEOUT = 60.0


def up(settings: Settings) -> int:
    """Database, LiveKit server, API and voice worker, with how to talk to the agent."""
    stack = Stack()
    try:
        _start_all(stack, settings)
    except BaseException:
        # Ctrl-C or a failure while starting: nothing we started may outlive us.
        stack.stop()
        raise
    return stack.wait()


def _start_all(stack: Stack, settings: Settings) -> None:
    # Mistakes the operator must fix are said once, here, before anything is started; the
    # children then share this (possibly embedded) database.
    os.environ["DATABASE_URL"] = asyncio.run(start_up(settings)).database_url
    os.environ.setdefault("API_KEY", _dev_secret(settings, "dev-api-key"))
    if needs_local_livekit(settings.livekit_url):
        os.environ.setdefault("LIVEKIT_API_KEY", "devkey")
        os.environ.setdefault("LIVEKIT_API_SECRET", _dev_secret(settings, "livekit-secret"))
        os.environ["LIVEKIT_KEYS"] = (
            f"{os.environ['LIVEKIT_API_KEY']}: {os.environ['LIVEKIT_API_SECRET']}"
        )
        stack.start("livekit-server", livekit_command(settings))
        _wait_until(lambda: _listening(settings.livekit_url), stack, "livekit-server to listen")
    os.environ.setdefault("LIVEKIT_URL", settings.livekit_url)
    get_settings.cache_clear()
    python = sys.executable
    api = f"http://{settings.api_host}:{settings.api_port}"
    stack.start(
        "api",
        [python, "-m", "uvicorn", "api.main:app", "--host", settings.api_host,
         "--port", str(settings.api_port), "--no-access-log"],
    )  # fmt: skip
    registered = None
    if settings.openai_api_key:
        registered = stack.start_watched("agent", [python, "-m", "agent", "dev"], WORKER_REGISTERED)
    else:
        print("OPENAI_API_KEY is not set, so the voice worker is not running; set it in .env.")
    _wait_until(lambda: _listening(api), stack, "the API to listen")
    if registered is not None:
        _wait_until(registered.is_set, stack, "the voice worker to register with LiveKit")
    # API_KEY may list several keys during a rotation; any of them will do here.
    staff_key = os.environ["API_KEY"].split(",")[0].strip()
    talk = (
        f"Talk to the agent: open {api}/ and press 'Call the restaurant'."
        if registered is not None
        else f"The call page is at {api}/, but no agent answers until OPENAI_API_KEY is set."
    )
    print(
        f"\n{talk}\n"
        f"Staff API:    {api}/docs  (Authorization: Bearer {staff_key})\n"
        f"Staff page:   {api}/staff  (sign in with that key)\n"
        f"Caller token: curl -X POST {api}/api/token\n"
        f"LiveKit:      {os.environ['LIVEKIT_URL']}\n"
        "From the LiveKit Agents Playground or a starter app: connect manually with the LiveKit "
        "URL above and a token from the caller-token command (README, 'Talk to it').\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )


def _wait_until(ready: Callable[[], bool], stack: Stack, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not ready():
        if name := stack.exited():
            raise StartupError(f"{name} stopped while waiting for {what}.")
        if time.monotonic() > deadline:
            raise StartupError(f"Timed out after {READY_TIMEOUT:.0f} s waiting for {what}.")
        time.sleep(0.1)


def needs_local_livekit(url: str) -> bool:
    """A loopback LiveKit URL with nothing listening: start one ourselves."""
    return urlparse(url).hostname in LOOPBACK and not _listening(url)


def livekit_command(settings: Settings) -> list[str]:
    """livekit-server with LIVEKIT_SERVER_CONFIG, listening on LIVEKIT_URL's port."""
    path = settings.livekit_server_config
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise StartupError(
            f"Cannot read the LiveKit server config {path}: {exc.strerror}."
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise StartupError(f"{path} is not valid YAML{where}: {problem}.") from None
    if not isinstance(config, dict):
        raise StartupError(f"{path} should hold livekit-server's settings as a YAML mapping.")
    config["port"] = _address(settings.livekit_url)[1]
    return [_livekit_server(), "--config-body", yaml.safe_dump(config)]


def _livekit_server() -> str:
    found = shutil.which("livekit-server", path=f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}")
    if found is None:
        raise StartupError("livekit-server is not installed: run scripts/setup-livekit.")
    return found


def _address(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    default = 443 if parsed.scheme in ("https", "wss") else 80
    return parsed.hostname or "127.0.0.1", parsed.port or default


def _listening(url: str) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(_address(url)) == 0


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
