"""How callers move between the agents."""

from __future__ import annotations

from api.deps import CallsDep, staff_router
from core.models import HandoffSummary

router = staff_router("/api/analytics", "analytics")


@router.get("/handoffs", summary="Handoff counts per route and conversion to booking")
async def handoff_summary(calls: CallsDep) -> HandoffSummary:
    return await calls.handoff_summary()
