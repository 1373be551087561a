"""With REDIS_URL, the token rate limit is one window shared by every API process (a real
Redis); without it each process keeps its own."""

from __future__ import annotations

import logging

import pytest

from testkit.stack import free_port
from tests.support.token import StartApi


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def requests_allowed(start_api: StartApi, tries: int, **env: str) -> list[int]:
    async with start_api(TOKEN_RATE_LIMIT="3/minute", **env) as running:
        async with running.client("198.51.100.20") as client:
            return [(await client.post("/api/token", json={})).status_code for _ in range(tries)]


async def test_processes_sharing_redis_share_one_window(
    start_api: StartApi, redis_url: str
) -> None:
    # Two starts of the app are two API processes: what one allowed, the other counts.
    first = await requests_allowed(start_api, 2, REDIS_URL=redis_url)
    second = await requests_allowed(start_api, 2, REDIS_URL=redis_url)
    assert first == [201, 201]
    assert second == [201, 429]


async def test_without_redis_each_process_counts_alone(start_api: StartApi) -> None:
    first = await requests_allowed(start_api, 2, REDIS_URL="")
    second = await requests_allowed(start_api, 2, REDIS_URL="")
    assert first == second == [201, 201]


async def test_a_redis_that_does_not_answer_lets_callers_through_and_says_so(
    start_api: StartApi,
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    # The app's start-up replaces the root logger's handlers (core/logs.py): listen on the
    # module's own logger.
    seen = Collected()
    logger = logging.getLogger("api.rate_limit")
    logger.addHandler(seen)
    try:
        allowed = await requests_allowed(start_api, 4, REDIS_URL=nobody)
    finally:
        logger.removeHandler(seen)
    assert allowed == [201] * 4
    assert seen.messages.count("rate limit not counted: Redis unavailable") == 4


async def test_a_redis_url_that_is_not_one_stops_the_start(start_api: StartApi) -> None:
    with pytest.raises(RuntimeError, match="REDIS_URL: 'http://127.0.0.1:6379' is not"):
        async with start_api(REDIS_URL="http://127.0.0.1:6379"):
            pass


async def tokens_from(start_api: StartApi, tries: int, **env: str) -> list[int]:
    """One API process's answers to `tries` callers (each from its own address)."""
    async with start_api(MAX_CONCURRENT_CALLS="2", **env) as running:
        answers = []
        for n in range(tries):
            async with running.client(f"198.51.100.{40 + n}") as client:
                answers.append((await client.post("/api/token", json={})).status_code)
        return answers


async def test_processes_sharing_redis_share_the_cap_on_concurrent_calls(
    start_api: StartApi, redis_url: str
) -> None:
    # A database of its own: other tests' tokens stay counted for their join window.
    shared = redis_url.rsplit("/", 1)[0] + "/1"
    assert await tokens_from(start_api, 1, REDIS_URL=shared) == [201]
    assert await tokens_from(start_api, 2, REDIS_URL=shared) == [201, 503]


async def test_without_redis_each_process_caps_its_own_tokens(start_api: StartApi) -> None:
    assert await tokens_from(start_api, 1, REDIS_URL="") == [201]
    assert await tokens_from(start_api, 2, REDIS_URL="") == [201, 201]
