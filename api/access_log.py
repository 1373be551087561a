"""Access logs that name the route, never the raw path: paths carry phone numbers."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("api.access")


class AccessLog:
    """Plain ASGI middleware: Starlette's @app.middleware("http") costs far more per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            fields = {
                "method": scope["method"],
                # The template (/api/reservations/{phone}), not the phone number itself.
                "route": getattr(route, "path", "unmatched"),
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
            }
            # Set by require_api_key on staff routes: which key, by its fingerprint.
            if key := scope.get("state", {}).get("staff_key"):
                fields["staff_key"] = key
            logger.info("request", extra=fields)


def install_access_log(app: FastAPI) -> None:
    app.add_middleware(AccessLog)
