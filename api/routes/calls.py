"""The call log: every call the agent took, what it did, what was said; and the owner's week."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Path, Query
from fastapi.responses import StreamingResponse

from api.deps import CallLogDep, DeskDep, RecordingsDep, RestaurantDep, staff_router
from api.errors import NOT_FOUND_RESPONSES
from api.schemas import CallDetailPublic, CallPagePublic, CallPublic, IsoDate
from core.db.call_log import CallLog
from core.errors import CallNotFound
from core.models import CallOutcome, CallWeek

router = staff_router("/api/calls", "calls")

# A session id is a LiveKit room name: the API names them (api/routes/token.py), SIP by rule.
SessionId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[\w.:-]+$")]


@router.get("", summary="Calls, newest first")
async def list_calls(
    log: CallLogDep,
    restaurant: RestaurantDep,
    date: Annotated[IsoDate | None, Query(description="Started on this day (local).")] = None,
    outcome: CallOutcome | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CallPagePublic:
    """Each call's outcome and what it did; the caller's number masked."""
    found, total = await log.calls(
        day=date,
        tz=restaurant.identity.timezone,
        outcome=outcome,
        page_size=page_size,
        skip=(page - 1) * page_size,
    )
    items = [CallPublic.listed(c) for c in found]
    return CallPagePublic(items=items, total=total, page=page, page_size=page_size)


@router.get("/week", summary="The owner's week: calls by day and hour, and what they did")
async def week(
    log: CallLogDep,
    desk: DeskDep,
    restaurant: RestaurantDep,
    start: Annotated[
        IsoDate | None, Query(description="The first of the 7 days; absent: the last 7 days.")
    ] = None,
) -> CallWeek:
    first = start or desk.today() - timedelta(days=6)
    return await log.week(first, restaurant.identity.timezone)


@router.get(
    "/session/{session_id}",
    summary="The call a booking or callback was made in",
    responses=NOT_FOUND_RESPONSES,
)
async def call_of_session(log: CallLogDep, session_id: SessionId) -> CallDetailPublic:
    call_id = await log.call_of_session(session_id)
    if call_id is None:
        raise CallNotFound("No call was recorded in that session.")
    return await _detail(log, call_id)


@router.get("/{call_id}", summary="One call and its transcript", responses=NOT_FOUND_RESPONSES)
async def one_call(
    log: CallLogDep, call_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> CallDetailPublic:
    """The caller's whole number, for a callback, and the transcript with the tools run."""
    return await _detail(log, call_id)


@router.get(
    "/{call_id}/recording",
    summary="A recording of the call's audio (Ogg Opus; the caller left, the agent right)",
    response_class=StreamingResponse,
    responses=NOT_FOUND_RESPONSES | {200: {"content": {"audio/ogg": {}}}},
)
async def recording(
    log: CallLogDep,
    store: RecordingsDep,
    call_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    part: Annotated[int, Query(ge=1, le=100, description="Which agent's part, from 1.")] = 1,
) -> StreamingResponse:
    names = await log.recordings(call_id)
    if names is None:
        raise CallNotFound("There is no call with that id.")
    # A name whose file the purge has deleted, in a purge that did not commit, is none either.
    found = await store.open(names[part - 1]) if part <= len(names) else None
    if found is None:
        raise CallNotFound("That call has no such recording (recording off, or past retention).")
    # Streamed through the API from the folder or the bucket alike: staff never get a link
    # to the bucket, which would play without the staff key.
    return StreamingResponse(
        found.chunks,
        media_type="audio/ogg",
        headers={
            "Content-Length": str(found.size),
            "Content-Disposition": f'attachment; filename="call-{call_id}-{part}.ogg"',
        },
    )


async def _detail(log: CallLog, call_id: int) -> CallDetailPublic:
    found = await log.call(call_id)
    if found is None:
        raise CallNotFound("There is no call with that id.")
    call, lines = found
    recordings = await log.recordings(call_id) or []
    return CallDetailPublic.model_validate(
        call.model_dump() | {"lines": lines, "recordings": len(recordings)}
    )
