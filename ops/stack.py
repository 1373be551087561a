"""`receptionist up`: the whole local stack as child processes (ops/children.py),
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
from livekit import api

from api.routes.livekit_webhook import WEBHOOK_PATH
from core.errors import StartupError
from core.keys import fingerprint, is_loopback
from core.settings import PROJECT_ROOT, Settings, get_settings
from ops.children import Stack
from ops.local import start_locally
from ops.private_files import create_private, write_private
from ops.sip import (
    LOCAL_REDIS_URL,
    REDIS_READY,
    SIP_LISTENING,
    PhoneLines,
    provision,
    redis_command,
    sip_command,
)

TOOLS_BIN = PROJECT_ROOT / ".tools" / "bin"
# The staff key `up` generates when API_KEY is unset, in DATA_DIR.
DEV_API_KEY = "dev-api-key"


# livekit-agents logs this once the worker can be sent calls. A room created before then never
# gets an agent (livekit-server dispatches when the room is created), so `up` waits for it.
WORKER_REGISTERED = b"registered worker"
READY_TIMEOUT = 60.0


def up(settings: Settings) -> int:
    """Database, LiveKit server, API and voice worker (and for phone calls Redis and
    livekit-sip), with how to talk to the agent."""
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
    local = asyncio.run(start_locally(settings))
    os.environ["DATABASE_URL"] = local.started.database_url
    os.environ["API_KEY"], sign_in = staff_key(settings)
    if is_loopback(settings.api_host) and "api_docs" not in settings.model_fields_set:
        # Only this machine can reach the API: the interactive docs may be open to it.
        os.environ["API_DOCS"] = "public"
    phone = local.phone
    if phone is not None and needs_local(settings.redis_url or LOCAL_REDIS_URL):
        # livekit-server and livekit-sip find each other through Redis.
        argv = redis_command(_tool("redis-server"), phone.redis, _private(settings, "redis.conf"))
        redis_ready = stack.start_watched("redis", argv, REDIS_READY)
        _wait_until(redis_ready.is_set, stack, "Redis to accept connections")
    key = settings.livekit_api_key.get_secret_value() if settings.livekit_api_key else ""
    secret = settings.livekit_api_secret.get_secret_value() if settings.livekit_api_secret else ""
    if needs_local(settings.livekit_url):
        key = key or "devkey"
        secret = secret or _dev_secret(settings, "livekit-secret")[0]
        # The children read them from their environment, which only this user can read.
        os.environ.update(LIVEKIT_API_KEY=key, LIVEKIT_API_SECRET=secret)
        os.environ["LIVEKIT_KEYS"] = f"{key}: {secret}"
        redis = phone.redis if phone is not None else None
        stack.start("livekit-server", livekit_command(settings, redis=redis))
        _wait_until(lambda: _listening(settings.livekit_url), stack, "livekit-server to listen")
    os.environ.setdefault("LIVEKIT_URL", settings.livekit_url)
    if phone is not None:
        _start_sip(stack, settings, phone, (os.environ["LIVEKIT_URL"], key, secret))
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
    talk = (
        f"Talk to the agent: open {api}/ and press 'Call the restaurant'."
        if registered is not None
        else f"The call page is at {api}/, but no agent answers until OPENAI_API_KEY is set."
    )
    if phone is not None:
        talk += (
            f"\nPhone calls:  dial sip:{phone.numbers[0]}@{phone.sip_host}:{phone.sip_port} "
            "(docs/phone.md, to connect a real trunk)."
        )
    print(
        f"\n{talk}\n"
        f"Staff API:    {_api_docs(api, sign_in)}\n"
        f"Staff page:   {api}/staff  (sign in with that key)\n"
        f"Caller token: curl -X POST {api}/api/token\n"
        f"LiveKit:      {os.environ['LIVEKIT_URL']}\n"
        "From the LiveKit Agents Playground or a starter app: connect manually with the LiveKit "
        "URL above and a token from the caller-token command (README, 'Talk to it').\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )


def staff_key(settings: Settings) -> tuple[str, str]:
    """API_KEY for the stack, and what `up` shows in its place: the key itself only the once it
    is generated, else where it is kept or which of the operator's keys it is."""
    if settings.api_key is not None and settings.api_key.get_secret_value().strip():
        raw = settings.api_key.get_secret_value()
        # API_KEY may list several keys during a rotation; any of them will do.
        first = raw.split(",")[0].strip()
        return raw, f"<your API_KEY, fingerprint {fingerprint(first)}>"
    key, generated = _dev_secret(settings, DEV_API_KEY)
    if generated:
        where = settings.data_dir / DEV_API_KEY
        return key, f"{key}; shown this once, kept in {where}"
    return key, f"$(cat {settings.data_dir / DEV_API_KEY})"


def _api_docs(api: str, sign_in: str) -> str:
    """Where the staff API is described, as API_DOCS lets it be (api/routes/docs.py)."""
    docs = get_settings().api_docs
    if docs == "public":
        return f"{api}/docs  (Authorization: Bearer {sign_in})"
    if docs == "staff":
        return f"{api}/openapi.json  (Authorization: Bearer {sign_in})"
    return "docs/staff-api.md"


def _start_sip(
    stack: Stack, settings: Settings, phone: PhoneLines, livekit: tuple[str, str, str]
) -> None:
    """livekit-sip, listening, with our trunk and dispatch rule in place."""
    url, key, secret = livekit
    if not key or not secret:
        raise StartupError("Telephony needs LIVEKIT_API_KEY and LIVEKIT_API_SECRET.")
    config = _private(settings, "livekit-sip.yaml")
    argv = sip_command(_tool("livekit-sip"), config, phone.sip_config, phone.redis, livekit)
    listening = stack.start_watched("livekit-sip", argv, SIP_LISTENING)
    _wait_until(listening.is_set, stack, "livekit-sip to listen")

    async def provision_lines() -> None:
        async with api.LiveKitAPI(url, key, secret) as lkapi:
            await provision(lkapi, phone, settings.agent_name)

    asyncio.run(provision_lines())


def _wait_until(ready: Callable[[], bool], stack: Stack, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not ready():
        if name := stack.exited():
            raise StartupError(f"{name} stopped while waiting for {what}.")
        if time.monotonic() > deadline:
            raise StartupError(f"Timed out after {READY_TIMEOUT:.0f} s waiting for {what}.")
        time.sleep(0.1)


def needs_local(url: str) -> bool:
    """A loopback LiveKit (or Redis) URL with nothing listening: start one ourselves."""
    return is_loopback(urlparse(url).hostname or "") and not _listening(url)


def livekit_command(settings: Settings, redis: dict[str, object] | None = None) -> list[str]:
    """livekit-server with LIVEKIT_SERVER_CONFIG, listening on LIVEKIT_URL's port (and with
    `redis` for telephony: livekit-sip reaches the server through it)."""
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
    # Its events drive the API's call watch, signed with the key the API checks them with.
    key = settings.livekit_api_key.get_secret_value() if settings.livekit_api_key else ""
    config["webhook"] = {
        "api_key": os.environ.get("LIVEKIT_API_KEY") or key or "devkey",
        "urls": [f"http://{settings.api_host}:{settings.api_port}{WEBHOOK_PATH}"],
    }
    if redis is not None:
        config["redis"] = redis  # with REDIS_URL's password, if it has one
    path = _private(settings, "livekit-server.yaml")
    write_private(path, yaml.safe_dump(config))
    return [_tool("livekit-server"), "--config", str(path)]


# Where each program `up` runs comes from, for the sentence that says how to get it.
SETUP = {
    "livekit-server": "run scripts/setup-livekit",
    "livekit-sip": "run scripts/setup-sip",
    "redis-server": "run scripts/setup-sip, or install Redis 7 (Debian: apt-get install "
    "redis-server), or set REDIS_URL to a Redis you run",
}


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}")
    if found is None:
        raise StartupError(f"{name} is not installed: {SETUP[name]}.")
    return found


def _address(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    default = {"https": 443, "wss": 443, "redis": 6379, "rediss": 6379}.get(parsed.scheme, 80)
    return parsed.hostname or "127.0.0.1", parsed.port or default


def _listening(url: str) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(_address(url)) == 0


def _private(settings: Settings, name: str) -> Path:
    """Where a child's settings file goes: what holds a secret is read from a private file,
    never given on the command line, which any local user can read."""
    return settings.data_dir / "stack" / name


def _dev_secret(settings: Settings, name: str) -> tuple[str, bool]:
    """A random secret generated once and kept in the data folder, for local development; and
    whether it was generated now."""
    path: Path = settings.data_dir / name
    generated = create_private(path, secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip(), generated
