"""The call's records: handoffs, escalations, the analytics over them, and the retention purge
(which also deletes old failed proofs, core/db/proofs.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, NotRequired, TypedDict, Unpack

import asyncpg

from core.db.base import QUERIES, Database, bounded, rows
from core.models import Escalation, Reservation, RouteCount, Urgency

# Maintenance, not a caller waiting: a long backlog may take more than a request's bound.
PURGE_TIMEOUT = 120.0


class Handoff(TypedDict):
    """One agent handing a call to another: what CallService and the store record."""

    session_id: str
    from_agent: str
    to_agent: str
    # What the handoff carried (agent/agents/handoff_data.py), for analytics.
    entities: dict[str, Any]


class NewEscalation(TypedDict):
    """A message a caller leaves for staff, declared once for CallService and the store."""

    name: str
    phone_number: str
    reason: str
    summary: str
    urgency: NotRequired[Urgency]
    # The call (LiveKit room) it was taken on.
    session_id: NotRequired[str | None]


class CallRecords(Database):
    """Typed access to what calls leave behind: handoffs and escalations."""

    @bounded
    async def call_history(self, session_id: str) -> tuple[list[Reservation], int]:
        """The reservations a call has made and how many handoffs it has had."""
        async with self._guard():
            booked = await rows(
                QUERIES.list_reservations_of_session(self._pool, session_id=session_id)
            )
            handoffs = await QUERIES.count_handoffs_of_session(self._pool, session_id=session_id)
        return [Reservation.model_validate(dict(r)) for r in booked], int(handoffs)

    @bounded
    async def record_handoff(self, **handoff: Unpack[Handoff]) -> None:
        async with self._guard():
            await QUERIES.record_handoff(self._pool, **handoff)

    @bounded
    async def handoff_routes(self) -> list[RouteCount]:
        async with self._guard():
            found = await rows(QUERIES.count_handoffs_by_route(self._pool))
        return [RouteCount.model_validate(dict(r)) for r in found]

    @bounded
    async def reservation_conversion(self, reservation_agent: str) -> tuple[int, int]:
        """Calls handed to the reservation agent, and how many of them booked."""
        async with self._guard():
            row = await QUERIES.reservation_handoff_conversion(
                self._pool, reservation_agent=reservation_agent
            )
        return int(row["sessions"]), int(row["booked_sessions"])

    @bounded
    async def create_escalation(
        self, *, announce: bool, **escalation: Unpack[NewEscalation]
    ) -> Escalation:
        # What a message leaves out is said here, once, rather than by every caller.
        fields = {"urgency": "normal", "session_id": None, **escalation}
        try:
            async with self._guard():
                row = await QUERIES.create_escalation(self._pool, **fields, announce=announce)
        except asyncpg.CheckViolationError as exc:
            raise ValueError("escalation fields out of range") from exc
        return Escalation.model_validate(dict(row))

    @bounded
    async def open_escalations(self) -> list[Escalation]:
        async with self._guard():
            found = await rows(QUERIES.list_open_escalations(self._pool))
        return [Escalation.model_validate(dict(r)) for r in found]

    async def anonymise_older_than(
        self,
        *,
        visited_before: date,
        resolved_before: datetime,
        recorded_before: datetime,
        called_before: datetime,
        once_every: timedelta | None = None,
        delete_recordings: Callable[[list[str]], Awaitable[None]] | None = None,
    ) -> tuple[int, int, int, int, int, int] | None:
        """Reservations, escalations and handoffs anonymised, failed proofs deleted (as old as
        handoffs), and calls' transcripts deleted, in one transaction; and calls' recordings
        as old as transcripts unlinked, their files (or objects) deleted by `delete_recordings`
        before the transaction commits (a commit that fails leaves links to files already gone,
        which the next purge clears; never a file nothing links to).

        With `once_every`, only if no process has purged within that period and none is
        purging now (sql/migrations/0008): None when this process is not the one to do it.
        """
        # Maintenance, not a caller waiting: a long backlog may take more than a request's bound.
        async with self._guard(timeout=PURGE_TIMEOUT), self._pool.acquire() as conn:
            async with conn.transaction():
                if once_every is not None:
                    if not await QUERIES.claim_periodic_run(conn, task="purge", every=once_every):
                        return None
                    await QUERIES.finish_periodic_run(conn, task="purge")
                counts = (
                    await QUERIES.anonymise_reservations(conn, visited_before=visited_before),
                    await QUERIES.anonymise_escalations(conn, resolved_before=resolved_before),
                    await QUERIES.anonymise_handoffs(conn, recorded_before=recorded_before),
                    await QUERIES.forget_failed_proofs(conn, recorded_before=recorded_before),
                    await QUERIES.forget_call_transcripts(conn, started_before=called_before),
                )
                unlinked: list[str] = []
                # Without a store to delete them from, the links stay (no file is orphaned).
                if delete_recordings is not None:
                    due = QUERIES.forget_call_recordings(conn, started_before=called_before)
                    unlinked = [str(r["name"]) for r in await rows(due)]
                    await delete_recordings(unlinked)
        reservations, escalations, handoffs, failed_proofs, calls = (int(n) for n in counts)
        return reservations, escalations, handoffs, failed_proofs, calls, len(unlinked)
