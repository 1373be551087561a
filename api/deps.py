"""Request dependencies: the reservation service and the staff API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.staff_keys import matching_key
from core.services.desk import StaffDesk
from core.services.reservations import ReservationService

# Dependencies are async on purpose: FastAPI runs plain `def` ones in a thread pool, a
# measurable cost on every request (bench/README.md).
_bearer = HTTPBearer(auto_error=False, description="One of the keys in this deployment's API_KEY.")


async def get_service(request: Request) -> ReservationService:
    service: ReservationService = request.state.service
    return service


async def get_desk(request: Request) -> StaffDesk:
    desk: StaffDesk = request.state.desk
    return desk


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


ServiceDep = Annotated[ReservationService, Depends(get_service)]
DeskDep = Annotated[StaffDesk, Depends(get_desk)]
