"""One limit on every request body, enforced while it arrives, never after it is buffered.

FastAPI reads a whole body into memory before it runs a route's dependencies, so without this a
caller could make the API hold any amount of memory, even on a route that then refuses it 401.
A declared Content-Length over MAX_BODY_BYTES is answered 413 before the app runs; a body sent
without one (chunked) is counted as it is read, and refused once it passes the limit.

FastAPI's own `max_body_size` (Starlette's RequestBodyLimitMiddleware) is not used: it is fixed
when the app object is built (at import, before the settings are read), it waits for the app to
read or answer before it looks at Content-Length, and its 413 is plain text rather than the
`{"detail": ...}` every other error is.
"""

from __future__ import annotations

from fastapi import FastAPI, status
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import get_settings


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a body passes the limit; answered 413 by the app's handlers
    (api/errors.py) or, if it escapes them, by the middleware."""

    def __init__(self, limit: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, too_large(limit))


def too_large(limit: int) -> str:
    return f"The request body is larger than {limit} bytes, the most this API accepts."


class BodyLimit:
    """Plain ASGI middleware, so it sees the body before anything in the app buffers it."""

    def __init__(self, app: ASGIApp, max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = get_settings().max_body_bytes if max_bytes is None else max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(limit, scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def noted(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, noted)
        except BodyTooLarge:
            # Read outside the app's exception handlers (by a middleware, say): answer here.
            if started:
                raise
            await _refuse(limit, scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    # uvicorn answers a malformed Content-Length 400 itself; whatever else reaches here that is
    # not plain ASCII digits is left to the count as the body arrives.
    declared = Headers(scope=scope).get("content-length", "")
    return int(declared) if declared.isascii() and declared.isdecimal() else None


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    # The connection stays open: uvicorn throws away the rest of the body as it arrives, which
    # costs no memory, and the client reliably reads the 413 (after a close with the body still
    # arriving, the kernel's reset can destroy the answer before the client reads it).
    response = JSONResponse({"detail": too_large(limit)}, status.HTTP_413_CONTENT_TOO_LARGE)
    await response(scope, receive, send)


def install_body_limit(app: FastAPI) -> None:
    app.add_middleware(BodyLimit)
