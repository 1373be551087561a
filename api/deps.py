"""Request dependencies: the database, the services and the staff API key; and the staff's
routers, which all need the key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import AUTH_RESPONSES
from api.staff_keys import matching_key
from core.db.base import Database
from core.db.call_log import CallLog
from core.recordings import RecordingStore
from core.restaurant import Restaurant
from core.services.calls import CallService
from core.services.desk import StaffDesk
from core.services.reservations import ReservationService

# Dependencies are async on purpose: FastAPI runs plain `def` ones in a thread pool, a
# measurable cost on every request (bench/README.md).
_bearer = HTTPBearer(auto_error=False, description="One of the keys in this deployment's API_KEY.")


T = TypeVar("T")


def _from_state(name: str, kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A dependency on what the lifespan (api/main.py) keeps in the state as `name`; `kind`
    tells the type checker what that is."""

    async def get(request: Request) -> T:
        found: T = getattr(request.state, name)
        return found

    return get


async def require_api_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    presented = credentials.credentials.encode() if credentials else b""
    key = matching_key(presented, request.state.staff_keys)
    # For the access log line (api/access_log.py): which key, by fingerprint.
    request.state.staff_key = key
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Send the API key as 'Authorization: Bearer <API_KEY>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )


async def check_api_key(request: Request) -> None:
    """require_api_key, called directly rather than as a dependency."""
    await require_api_key(request, await _bearer(request))


class KeyFirstRoute(APIRoute):
    """A staff route that refuses a caller without a key before it reads the body.

    FastAPI reads and parses the body before it runs any dependency, so on its own a keyless
    caller would have the body read and could learn from a 422 what it should hold. The
    dependency stays on the router too: the OpenAPI schema shows the key from it.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def key_first(request: Request) -> Response:
            await check_api_key(request)
            return await handle(request)

        return key_first


def staff_router(
    prefix: str, tag: str, responses: dict[int | str, dict[str, object]] | None = None
) -> APIRouter:
    """A router for staff: every route answers 401 without one of the API keys."""
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        route_class=KeyFirstRoute,
        dependencies=[Depends(require_api_key)],
        responses=AUTH_RESPONSES | (responses or {}),
    )


DatabaseDep = Annotated[Database, Depends(_from_state("database", Database))]
ReservationsDep = Annotated[
    ReservationService, Depends(_from_state("reservations", ReservationService))
]
CallsDep = Annotated[CallService, Depends(_from_state("calls", CallService))]
DeskDep = Annotated[StaffDesk, Depends(_from_state("desk", StaffDesk))]
CallLogDep = Annotated[CallLog, Depends(_from_state("call_log", CallLog))]
RestaurantDep = Annotated[Restaurant, Depends(_from_state("restaurant", Restaurant))]


async def _recordings(request: Request) -> RecordingStore:
    # Not _from_state: a protocol is no class to name there.
    found: RecordingStore = request.state.recordings
    return found


RecordingsDep = Annotated[RecordingStore, Depends(_recordings)]
