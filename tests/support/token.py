"""The token endpoint's tests' helpers: the app started with known settings (the `start_api`
fixture in tests/api/conftest.py), a client from a chosen address, and the token read back with
livekit-api's own verifier. No LiveKit server is needed: a token is a JWT."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import httpx
from livekit import api
from starlette.types import ASGIApp

LIVEKIT_KEY = "APItestkey"
LIVEKIT_SECRET = "a-test-secret-that-is-at-least-32-characters-long"
LIVEKIT_URL = "wss://livekit.test"
# Every setting the route reads, so a developer's .env cannot change what the tests see.
BASE_ENV = {
    "LIVEKIT_URL": LIVEKIT_URL,
    "LIVEKIT_API_KEY": LIVEKIT_KEY,
    "LIVEKIT_API_SECRET": LIVEKIT_SECRET,
    "LIVEKIT_PUBLIC_URL": "",
    "AGENT_NAME": "",
    "TOKEN_RATE_LIMIT": "100/minute",
    "TOKEN_CORS_ORIGINS": "",
    "MAX_CONCURRENT_CALLS": "1000",
}
CALLER = "203.0.113.7"


@dataclass
class RunningApi:
    app: ASGIApp

    def client(self, address: str = CALLER) -> httpx.AsyncClient:
        """A client whose requests come from `address`, as the rate limit sees them."""
        transport = httpx.ASGITransport(app=self.app, client=(address, 40_000))
        return httpx.AsyncClient(transport=transport, base_url="http://test")


# The `start_api` fixture: the app with BASE_ENV plus overrides, fresh settings and limits.
StartApi = Callable[..., AbstractAsyncContextManager[RunningApi]]


async def issue(start_api: StartApi, body: Any = None, **env: str) -> httpx.Response:
    async with start_api(**env) as running, running.client() as client:
        return await client.post("/api/token", json=body)


def claims_of(token: str) -> api.access_token.Claims:
    return api.TokenVerifier(LIVEKIT_KEY, LIVEKIT_SECRET).verify(token)
