"""Liveness for load balancers and the run script."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import DatabaseDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="200 when the database answers, 503 otherwise")
async def healthz(database: DatabaseDep) -> Health:
    # DatabaseUnavailable becomes a 503 in the app's error handlers.
    await database.ping()
    return Health(status="ok")
