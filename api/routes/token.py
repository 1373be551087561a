"""The public token endpoint, in LiveKit's standard format so its SDKs and starters can use it.

`TokenSource.endpoint(".../api/token")` in LiveKit's client SDKs, the starter apps and the Agents
Playground POST here and connect with the answer. A browser cannot keep a secret, so the route
needs no key; instead each token grants only what a caller needs (one fresh room the server
names, for 15 minutes), each client address may ask only so often, and no token is issued while
every line is busy.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Request, Response, status
from livekit import api
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import BODY_RESPONSES
from api.live_calls import LiveCalls
from api.rate_limit import AddressRateLimit
from api.schemas import Problem, TokenPublic, TokenRequest
from core.settings import Settings, get_settings

logger = logging.getLogger(__name__)

TOKEN_PATH = "/api/token"
# Long enough to connect; the connection outlives the token (LiveKit checks it only on join).
TOKEN_TTL = timedelta(minutes=15)
# Its body is limited like every route's (api/body_limit.py).
TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = BODY_RESPONSES | {
    429: {
        "model": Problem,
        "description": "Too many token requests from this client address.",
        "headers": {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
        },
    },
    503: {
        "model": Problem,
        "description": "Every line is busy (with `Retry-After`), or this deployment has no "
        "LiveKit key and secret (without).",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait, when the line is busy.",
                "schema": {"type": "integer"},
            }
        },
    },
}
# What a caller who found the line busy is asked to wait: long enough for a call to end.
BUSY_RETRY_AFTER = 30
# Origins on the operator's own machine (a starter app on localhost:3000) may always call.
LOOPBACK_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"


@dataclass(frozen=True)
class TokenSigner:
    """What signing a caller's token needs from the settings."""

    api_key: str
    api_secret: str
    server_url: str
    agent_name: str


def _signer(settings: Settings) -> TokenSigner | str:
    """The signer, or the detail to answer with when LiveKit is not configured."""
    key = settings.livekit_api_key.get_secret_value() if settings.livekit_api_key else ""
    secret = settings.livekit_api_secret.get_secret_value() if settings.livekit_api_secret else ""
    server_url = settings.livekit_public_url or settings.livekit_url
    missing = [
        name
        for name, value in [
            ("LIVEKIT_URL", server_url),
            ("LIVEKIT_API_KEY", key),
            ("LIVEKIT_API_SECRET", secret),
        ]
        if not value
    ]
    if missing:
        return f"The LiveKit server is not configured: set {' and '.join(missing)}."
    return TokenSigner(key, secret, server_url, settings.agent_name)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    # Built per app start rather than at import, so each start (and each test) reads the
    # current settings and begins with an empty rate-limit window.
    settings = get_settings()
    try:
        rate_limit = AddressRateLimit(settings.token_rate_limit, settings.redis_url)
    except ValueError as exc:
        raise RuntimeError(f"TOKEN_RATE_LIMIT: {exc}; write it like '10/minute'.") from exc
    signer = _signer(settings)
    if isinstance(signer, str):
        logger.warning("token endpoint disabled", extra={"reason": signer})
    yield {
        "token_rate_limit": rate_limit,
        "token_signer": signer,
        "token_cors_origins": settings.token_cors_origins,
    }


async def within_rate_limit(request: Request) -> None:
    limit: AddressRateLimit = request.state.token_rate_limit
    # The peer address, never X-Forwarded-For: any caller can forge that header and would get
    # a fresh allowance per made-up address. Behind a proxy, have uvicorn rewrite the peer from
    # the proxy's header (--forwarded-allow-ips), which trusts only that proxy.
    address = request.client.host if request.client else "unknown"
    wait = await limit.retry_after(address)
    if wait is not None:
        unit = "second" if wait == 1 else "seconds"
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"Too many token requests from this address; try again in {wait} {unit}.",
            headers={"Retry-After": str(wait)},
        )


router = APIRouter(tags=["token"], lifespan=lifespan)


@router.post(
    TOKEN_PATH,
    status_code=status.HTTP_201_CREATED,
    summary="A caller's token to join a room and talk to the agent (public)",
    responses=TOKEN_RESPONSES,
    dependencies=[Depends(within_rate_limit)],
)
async def issue_token(
    request: Request,
    response: Response,
    body: Annotated[TokenRequest | None, Body()] = None,
) -> TokenPublic:
    """LiveKit's standard token endpoint: `TokenSource.endpoint` in LiveKit's client SDKs.

    No key needed. The token joins one fresh room the server names, as a fresh identity, for 15
    minutes, publishing microphone audio and data and subscribing; the room gets this
    deployment's agent. A requested `room_name` or `participant_identity` is not used: connect
    to the room the answer names. Rate-limited per client address; 503 with `Retry-After`
    while every line is busy.
    """
    signer: TokenSigner | str = request.state.token_signer
    if isinstance(signer, str):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=signer)
    body = body or TokenRequest()
    if body.room_name or body.participant_identity:
        # Never honoured: a room name chosen by the client would let anyone who learns or
        # guesses one join that call, and either could carry personal data into room lists,
        # logs and call records. Ignored rather than refused, since stock clients send them
        # (LiveKit's clients join whatever room the token grants); logged without the values.
        logger.info("token request named a room or identity; fresh ones used")
    # Random (128 bits for the room): unguessable, and nothing about the caller in them.
    room = f"call-{secrets.token_urlsafe(16)}"
    identity = f"caller-{secrets.token_urlsafe(8)}"
    live: LiveCalls = request.state.live_calls
    if not await live.claim(room):
        logger.warning("token refused: every line busy", extra={"limit": live.limit})
        phone = request.state.restaurant.identity.phone
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=(
                f"The line is busy: please try again in {BUSY_RETRY_AFTER} seconds, or phone "
                f"us on {phone}."
            ),
            headers={"Retry-After": str(BUSY_RETRY_AFTER)},
        )
    token = _sign(signer, body, room, identity)
    # A token is a credential: no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    logger.info("token issued", extra={"room": room, "dispatch": bool(signer.agent_name)})
    return TokenPublic(
        server_url=signer.server_url,
        participant_token=token,
        room_name=room,
        participant_identity=identity,
        serverUrl=signer.server_url,
        participantToken=token,
        roomName=room,
        participantIdentity=identity,
    )


def _sign(signer: TokenSigner, body: TokenRequest, room: str, identity: str) -> str:
    grants = api.VideoGrants(
        room_join=True,
        room=room,
        # Talk and send chat/data, hear the agent; no camera, screen share, admin or creation
        # of other rooms.
        can_publish=True,
        can_publish_sources=["microphone"],
        can_publish_data=True,
        can_subscribe=True,
    )
    token = (
        api.AccessToken(signer.api_key, signer.api_secret)
        .with_identity(identity)
        .with_ttl(TOKEN_TTL)
        .with_grants(grants)
    )
    if body.participant_name:
        token = token.with_name(body.participant_name)
    agents = body.room_config.agents if body.room_config else []
    if any(a.agent_name and a.agent_name != signer.agent_name for a in agents):
        # The client's room_config is never passed on: a public endpoint must not let callers
        # dispatch other agents or change room settings. Logged to explain a missing agent.
        logger.info("token request named another agent; ignored", extra={"room": room})
    if signer.agent_name:
        # Explicit dispatch when the worker registered under a name; without one the worker
        # joins every new room by itself.
        dispatch = api.RoomAgentDispatch(agent_name=signer.agent_name)
        token = token.with_room_config(api.RoomConfiguration(agents=[dispatch]))
    return token.to_jwt()


class _TokenRouteCors:
    """Starlette's CORS handling, for the public token route only.

    Browser apps on other origins call the token route: one on the operator's own machine (a
    starter on localhost:3000) always may, others only when listed in TOKEN_CORS_ORIGINS, so
    no other web site can start calls on the restaurant's account from its visitors'
    browsers. Credentials are never allowed (no cookies anywhere), and the staff routes get no
    CORS headers at all, so browsers keep them same-origin.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # By the origins of the app's start (its lifespan state): the app may be started again
        # with other settings (the tests do), while this middleware is built once.
        self.cors: dict[tuple[str, ...], CORSMiddleware] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # endswith: the path includes a root_path when the API is mounted under a prefix.
        if scope["type"] == "http" and scope["path"].endswith(TOKEN_PATH):
            origins: tuple[str, ...] = scope["state"]["token_cors_origins"]
            if origins not in self.cors:
                self.cors[origins] = CORSMiddleware(
                    self.app,
                    allow_origins=list(origins),
                    allow_origin_regex=LOOPBACK_ORIGINS,
                    allow_methods=["POST"],
                    # The route reads no header, so none can do harm; apps may add their own.
                    allow_headers=["*"],
                    # Lets a page read how long to wait after a 429 or a busy line's 503.
                    expose_headers=["Retry-After"],
                    max_age=600,
                )
            await self.cors[origins](scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install_token_cors(app: FastAPI) -> None:
    app.add_middleware(_TokenRouteCors)
