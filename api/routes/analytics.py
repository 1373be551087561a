"""How callers move between the agents."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import ServiceDep, require_api_key
from api.errors import AUTH_RESPONSES
from core.models import HandoffSummary

router = APIRouter(
    prefix="/api/analytics",
    tags=["analytics"],
    dependencies=[Depends(require_api_key)],
    responses=AUTH_RESPONSES,
)


@router.get("/handoffs", summary="Handoff counts per route and conversion to booking")
async def handoff_summary(service: ServiceDep) -> HandoffSummary:
    return await service.handoff_summary()
