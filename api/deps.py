"""Request dependencies: the reservation service and the staff API key."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.booking import ReservationService
from core.desk import StaffDesk

# Dependencies are async on purpose: FastAPI runs plain `def` ones in a thread pool, a
# measurable cost on every request (bench/README.md).
_bearer = HTTPBearer(auto_error=False, description="The API_KEY of this deployment.")


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
    expected: str = request.state.api_key
    # compare_digest on bytes keeps the comparison constant-time for any input.
    presented = credentials.credentials.encode() if credentials else b""
    if not secrets.compare_digest(presented, expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Send the API key as 'Authorization: Bearer <API_KEY>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )


ServiceDep = Annotated[ReservationService, Depends(get_service)]
DeskDep = Annotated[StaffDesk, Depends(get_desk)]
