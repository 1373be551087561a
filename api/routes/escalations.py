"""Callbacks: the callers the agent promised a call back, for staff to start and resolve."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Path, Query

from api.deps import DeskDep, staff_router
from api.errors import CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from api.schemas import EscalationChange, EscalationPagePublic, EscalationPublic
from core.models import Escalation, EscalationStatus

router = staff_router("/api/escalations", "escalations")

UNRESOLVED: tuple[EscalationStatus, ...] = ("open", "in_progress")


def _public(escalation: Escalation) -> EscalationPublic:
    return EscalationPublic.model_validate(escalation, from_attributes=True)


@router.get("", summary="Callbacks, urgent first, then oldest")
async def list_callbacks(
    desk: DeskDep,
    status: Annotated[
        list[EscalationStatus] | None,
        Query(description="Repeat for several; absent: open and in_progress.", max_length=3),
    ] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EscalationPagePublic:
    found = await desk.callbacks(status or UNRESOLVED, page=page, page_size=page_size)
    return EscalationPagePublic.model_validate(found, from_attributes=True)


@router.patch(
    "/{escalation_id}",
    summary="Start or resolve a callback, with an optional staff note",
    responses=NOT_FOUND_RESPONSES | CONFLICT_RESPONSES,
)
async def move_callback(
    desk: DeskDep,
    escalation_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    change: Annotated[EscalationChange, Body()],
) -> EscalationPublic:
    """open to in_progress or resolved; in_progress to resolved. Anything else is a 409, also
    a callback already in that status, so two staff do not both call back. A note replaces
    the one there; without one it is kept."""
    note = change.note.strip() if change.note else None
    return _public(await desk.move_callback(escalation_id, change.status, note or None))
