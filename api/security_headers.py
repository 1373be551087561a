"""Security headers on every answer: the pages, their files and the API.

The pages load only their own scripts and styles (web/: no inline script or style, no other
origin), so the policy allows nothing else; the one outside address is the LiveKit server the
call page talks to. A response that sets its own policy (the interactive docs, api/routes/docs.py)
keeps it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings, get_settings

# Only what the address's host and port may hold, so no setting can add to the policy.
_HOST = re.compile(r"[A-Za-z0-9.\-:\[\]]+")


def livekit_sources(url: str) -> list[str]:
    """The LiveKit server as the browser reaches it: the signalling WebSocket and, when that
    fails, livekit-client's HTTP check of why (same host and port)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if parts.scheme not in ("ws", "wss", "http", "https") or not _HOST.fullmatch(host):
        return []
    secure = parts.scheme in ("wss", "https")
    return [f"{'wss' if secure else 'ws'}://{host}", f"{'https' if secure else 'http'}://{host}"]


def content_security_policy(settings: Settings) -> str:
    livekit = livekit_sources(settings.livekit_public_url or settings.livekit_url)
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            # data: is the pages' empty favicon (<link rel="icon" href="data:,">).
            "img-src 'self' data:",
            # The agent's voice plays from a MediaStream (srcObject), no URL; a call's recording
            # from the staff page's own memory (fetched with the staff key, then a blob: URL).
            "media-src blob:",
            " ".join(["connect-src 'self'", *livekit]),
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    return [
        ("Content-Security-Policy", content_security_policy(settings)),
        # For browsers without CSP's frame-ancestors: no page of ours in anyone's frame.
        ("X-Frame-Options", "DENY"),
        # Paths carry phone numbers and confirmation codes: never tell another site the URL.
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        # The call page needs the microphone and nothing else; no other origin gets it.
        ("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)"),
    ]


class SecurityHeaders:
    """Plain ASGI middleware (api/access_log.py says why): adds each header a response lacks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = security_headers(get_settings())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
