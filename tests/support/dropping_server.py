"""A TCP server on 127.0.0.1 that reads each HTTP request and hangs up without an answer: what a
client sees of a LiveKit server killed mid-request, or a proxy in front of it going down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass


@dataclass
class DroppingServer:
    port: int = 0
    # Requests read and dropped so far.
    dropped: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _drop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(asyncio.IncompleteReadError, ConnectionError):
            await reader.readuntil(b"\r\n\r\n")
            self.dropped += 1
        writer.close()


@asynccontextmanager
async def dropping_server() -> AsyncIterator[DroppingServer]:
    dropper = DroppingServer()
    server = await asyncio.start_server(dropper._drop, "127.0.0.1", 0)
    dropper.port = server.sockets[0].getsockname()[1]
    try:
        yield dropper
    finally:
        server.close()
        await server.wait_closed()
