"""Prometheus metrics for operators, in the text format, behind the staff key (a scraper sends
it as a bearer token: `authorization: {credentials: ...}` in Prometheus' scrape config)."""

from __future__ import annotations

from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from api.deps import CallLogDep, staff_router
from core.models import CallOutcome

router = staff_router("", "metrics")

# Its own registry: only what is set below, read from the database at each scrape, so every
# API process answers the same.
REGISTRY = CollectorRegistry()
CALLS = Gauge("receptionist_calls", "Calls recorded, by outcome.", ["outcome"], registry=REGISTRY)
IN_PROGRESS = Gauge("receptionist_calls_in_progress", "Calls under way.", registry=REGISTRY)
NOTICES = Gauge(
    "receptionist_staff_notices_pending", "Staff notices not yet delivered.", registry=REGISTRY
)
OUTCOMES: tuple[CallOutcome, ...] = CallOutcome.__args__  # type: ignore[attr-defined]


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(log: CallLogDep) -> Response:
    outcomes, pending = await log.operations()
    for outcome in OUTCOMES:
        CALLS.labels(outcome).set(outcomes.get(outcome, 0))
    IN_PROGRESS.set(outcomes.get("in_progress", 0))
    NOTICES.set(pending)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
