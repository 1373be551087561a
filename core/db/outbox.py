"""The outbox of staff notices in PostgreSQL: claim due notices, record how each attempt went."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from core.db.base import QUERIES, Database, rows
from core.notices.messages import OutboxNotice


class OutboxStore(Database):
    async def claim_due(self, *, batch: int, lease: timedelta) -> list[OutboxNotice]:
        """Due notices, oldest first, that no other process may take for `lease`."""
        async with self._guard():
            found = await rows(QUERIES.claim_due_notices(self._pool, batch=batch, lease=lease))
        return sorted((OutboxNotice.model_validate(dict(r)) for r in found), key=lambda n: n.id)

    async def finish(self, notice_id: int, state: Literal["delivered", "skipped"]) -> None:
        async with self._guard():
            await QUERIES.finish_notice(self._pool, id=notice_id, state=state)

    async def retry_later(self, notice_id: int, *, delay: timedelta, error: str) -> None:
        async with self._guard():
            await QUERIES.retry_notice_later(
                self._pool, id=notice_id, delay=delay, error=error[:200]
            )

    async def expire(self, *, older_than: timedelta) -> int:
        """Give up on notices pending longer than `older_than`; how many."""
        async with self._guard():
            return int(await QUERIES.expire_notices(self._pool, older_than=older_than))
