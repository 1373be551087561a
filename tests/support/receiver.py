"""A real HTTP receiver for staff notices on 127.0.0.1 (uvicorn serving a small Starlette app),
whose answer to each attempt at a notice a test chooses: accept, fail with a 500, or hang."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from testkit.stack import free_port

Answer = Literal["accept", "fail", "hang"]
WAIT = 60.0  # generous: the machine is shared and busy


@dataclass
class Arrival:
    event_id: str
    header_id: str | None
    attempt: int
    answer: Answer
    body: dict[str, Any]
    # The bytes and headers as they came, for checking a signature.
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """`answer(attempt)` decides each request for a notice (attempt 1 is its first)."""

    def __init__(self, answer: Callable[[int], Answer], port: int | None = None) -> None:
        self.answer = answer
        self.port = port or free_port()
        self.arrivals: list[Arrival] = []
        # What a receiver that de-duplicates would have processed: notices answered 2xx.
        self.accepted: Counter[str] = Counter()
        self.holding = 0
        self._release = asyncio.Event()
        self._changed = asyncio.Condition()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/notices"

    async def _notice(self, request: Request) -> Response:
        raw = await request.body()
        body = json.loads(raw)
        event_id = body["event_id"]
        attempt = 1 + sum(a.event_id == event_id for a in self.arrivals)
        answer = self.answer(attempt)
        header_id = request.headers.get("webhook-id")
        headers = dict(request.headers)
        self.arrivals.append(Arrival(event_id, header_id, attempt, answer, body, raw, headers))
        async with self._changed:
            if answer == "accept":
                self.accepted[event_id] += 1
            if answer == "hang":
                self.holding += 1
            self._changed.notify_all()
        if answer == "hang":
            # Past the sender's timeout: it gives up on this attempt and tries again later.
            await self._release.wait()
            return Response(status_code=200)
        if answer == "fail":
            return JSONResponse({"error": "try later"}, status_code=500)
        return Response(status_code=204)

    async def wait_until(self, condition: Callable[[Receiver], bool]) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: condition(self)), WAIT)

    async def start(self) -> None:
        app = Starlette(routes=[Route("/notices", self._notice, methods=["POST"])])
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        async with asyncio.timeout(WAIT):
            while not self._server.started:
                if self._task.done():
                    self._task.result()  # it failed to start: say why
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._release.set()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
