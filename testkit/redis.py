"""A throwaway Redis on a free loopback port (Debian's redis-server, no persistence)."""

from __future__ import annotations

import shutil
from pathlib import Path

from testkit.stack import Process, free_port

REDIS_READY = "Ready to accept connections"


def find_redis() -> str:
    """redis-server's path; scripts/setup-sip installs it (tests fail, never skip, without)."""
    found = shutil.which("redis-server", path="/usr/bin:/usr/sbin:/usr/local/bin")
    if found is None:
        raise RuntimeError("redis-server is not installed: run scripts/setup-sip")
    return found


def start_redis(workdir: Path, env: dict[str, str]) -> tuple[Process, str]:
    """A running Redis and its URL; stop the Process when done."""
    port = free_port()
    config = workdir / f"redis-{port}.conf"
    config.write_text(
        f'bind 127.0.0.1\nport {port}\nsave ""\nappendonly no\ndir {workdir}\n',
        encoding="utf-8",
    )
    # Under scripts/test-any-day libfaketime is preloaded into every child, and Redis's first clock
    # call recurses inside it and never returns; Redis keeps real time, as a real server would.
    env = {key: value for key, value in env.items() if key != "LD_PRELOAD"}
    redis = Process("redis", [find_redis(), str(config)], env, workdir / f"redis-{port}.log")
    redis.start_and_wait(lambda: REDIS_READY in redis.output(), "Redis to start")
    return redis, f"redis://127.0.0.1:{port}/0"
