"""The call log: one record per call with its transcript, written as the call goes
(agent/hooks/call_record.py) and read by staff."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal, TypedDict

from core.db.base import QUERIES, Database, bounded, rows
from core.models import Call, CallDay, CallLine, CallOutcome, CallWeek

Channel = Literal["web", "phone"]
Speaker = Literal["caller", "agent", "tool"]


class CallFacts(TypedDict):
    """What some turns of a call did, added to its record."""

    booked: list[str]
    changed: list[str]
    cancelled: list[str]
    covers: int
    questions: int
    callbacks: int
    transferred: bool


def no_facts() -> CallFacts:
    """Nothing done: what a turn's facts start from."""
    return CallFacts(
        booked=[], changed=[], cancelled=[], covers=0, questions=0, callbacks=0, transferred=False
    )


class CallLog(Database):
    """Typed writes and reads of calls' records, each bounded like every other store's."""

    @bounded
    async def open_call(self, session_id: str, channel: Channel, caller_number: str | None) -> int:
        """The record's id: a new one, or the same call's when a new agent resumes it."""
        async with self._guard():
            found = await QUERIES.open_call(
                self._pool, session_id=session_id, channel=channel, caller_number=caller_number
            )
        return int(found)

    @bounded
    async def add_line(
        self, call_id: int, at: datetime, speaker: Speaker, agent: str | None, text: str
    ) -> None:
        async with self._guard():
            await QUERIES.add_call_line(
                self._pool, call_id=call_id, at=at, speaker=speaker, agent=agent, text=text
            )

    @bounded
    async def note_agent(self, call_id: int, agent: str) -> None:
        async with self._guard():
            await QUERIES.note_call_agent(self._pool, call_id=call_id, agent=agent)

    @bounded
    async def note_reply_delay(self, call_id: int, seconds: float) -> None:
        async with self._guard():
            await QUERIES.note_reply_delay(self._pool, call_id=call_id, seconds=seconds)

    @bounded
    async def note_facts(self, call_id: int, facts: CallFacts) -> None:
        async with self._guard():
            await QUERIES.note_call_facts(self._pool, call_id=call_id, **facts)

    @bounded
    async def note_bookings_of_session(self, call_id: int) -> None:
        """Bookings made in the call's room that its record lacks, added once each."""
        async with self._guard():
            await QUERIES.note_bookings_of_session(self._pool, call_id=call_id)

    @bounded
    async def end_call(
        self, call_id: int, *, caller_hung_up: bool, failed: str | None
    ) -> CallOutcome:
        """The call's outcome, now that it is over."""
        async with self._guard():
            outcome: CallOutcome = await QUERIES.end_call(
                self._pool, call_id=call_id, caller_hung_up=caller_hung_up, failed=failed
            )
        return outcome

    @bounded
    async def mark_dropped(self, session_id: str) -> None:
        async with self._guard():
            await QUERIES.mark_call_dropped(self._pool, session_id=session_id)

    @bounded
    async def calls(
        self,
        *,
        day: date | None,
        tz: str,
        outcome: CallOutcome | None,
        page_size: int,
        skip: int,
    ) -> tuple[list[Call], int]:
        """One page of calls, newest first, started on `day` in `tz`; and the total."""
        wanted = {"day": day, "tz": tz, "outcome": outcome}
        async with self._guard():
            found = await rows(
                QUERIES.list_calls(self._pool, **wanted, page_size=page_size, skip=skip)
            )
            total = await QUERIES.count_calls(self._pool, **wanted)
        return [Call.model_validate(dict(r)) for r in found], int(total)

    @bounded
    async def call(self, call_id: int) -> tuple[Call, list[CallLine]] | None:
        """One call and its transcript, or None."""
        async with self._guard():
            row = await QUERIES.get_call(self._pool, id=call_id)
            if row is None:
                return None
            lines = await rows(QUERIES.list_call_lines(self._pool, call_id=call_id))
        return Call.model_validate(dict(row)), [CallLine.model_validate(dict(r)) for r in lines]

    @bounded
    async def add_recording(self, call_id: int, name: str) -> None:
        async with self._guard():
            await QUERIES.add_call_recording(self._pool, call_id=call_id, name=name)

    @bounded
    async def recordings(self, call_id: int) -> list[str] | None:
        """The names of a call's recordings (RECORDINGS_DIR), oldest first; None: no call."""
        async with self._guard():
            found = await QUERIES.get_call_recordings(self._pool, call_id=call_id)
        return None if found is None else list(found)

    @bounded
    async def call_of_session(self, session_id: str) -> int | None:
        """The call a booking or callback was made in, by its session."""
        async with self._guard():
            found = await QUERIES.get_call_id_of_session(self._pool, session_id=session_id)
        return None if found is None else int(found)

    @bounded
    async def week(self, start: date, tz: str) -> CallWeek:
        """The seven days from `start` (in `tz`), by day and hour, and summed up."""
        span = {"first_day": start, "last_day": start + timedelta(days=6), "tz": tz}
        async with self._guard():
            hourly = await rows(QUERIES.count_calls_by_hour(self._pool, **span))
            sums = await QUERIES.sum_up_calls(self._pool, **span)
        days = {start + timedelta(days=n): [0] * 24 for n in range(7)}
        for row in hourly:
            days[row["day"]][row["hour"]] = row["calls"]
        total = int(sums["calls"])
        return CallWeek(
            start=start,
            days=[CallDay(day=day, calls=sum(hours), hours=hours) for day, hours in days.items()],
            handled_share=round(sums["handled_without_staff"] / total, 4) if total else None,
            **dict(sums),
        )

    @bounded
    async def operations(self) -> tuple[dict[str, int], int]:
        """Calls by outcome, and staff notices waiting to be delivered (for /metrics)."""
        async with self._guard():
            found = await rows(QUERIES.count_calls_by_outcome(self._pool))
            pending = await QUERIES.count_pending_notices(self._pool)
        return {r["outcome"]: int(r["calls"]) for r in found}, int(pending)
