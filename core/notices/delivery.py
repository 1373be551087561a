"""Posts staff notices from the outbox to STAFF_WEBHOOK_URL, retrying with backoff.

The API runs one of these in each process (api/main.py). A notice is claimed for a lease longer
than any attempt can take (FOR UPDATE SKIP LOCKED, sql/queries/outbox.sql), so several API
processes never post the same notice at the same time; a process that dies mid-post leaves the
notice to the next claim once the lease is over. Delivery is at least once: a receiver that
answered but whose answer was lost gets the notice again with the same `event_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import httpx

from core.db.outbox import OutboxStore
from core.errors import DatabaseUnavailable
from core.notices.messages import ALWAYS, EventType, OutboxNotice, StaffNotice, staff_notice
from core.notices.signature import signature_headers
from core.restaurant import Restaurant
from core.settings import Settings

logger = logging.getLogger(__name__)

# Notices claimed at once; they are posted concurrently, so a slow receiver holds up a batch
# for one timeout at most.
BATCH = 20
# A claim outlives the attempt (bounded by the timeout) by this much: room for the bookkeeping.
LEASE_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    url: str
    events: frozenset[EventType]
    timeout: float
    retry_first: float
    retry_max: float
    give_up: timedelta
    poll: float
    # STAFF_WEBHOOK_SECRET's key: each attempt is signed with it. None: unsigned.
    key: bytes | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy | None:
        """The policy, or None when no STAFF_WEBHOOK_URL is set."""
        if settings.staff_webhook_url is None:
            return None
        return cls(
            url=str(settings.staff_webhook_url),
            events=ALWAYS | settings.staff_webhook_events,
            timeout=settings.staff_webhook_timeout_seconds,
            retry_first=settings.staff_webhook_retry_seconds,
            retry_max=settings.staff_webhook_retry_max_seconds,
            give_up=timedelta(hours=settings.staff_webhook_give_up_hours),
            poll=settings.staff_webhook_poll_seconds,
            key=settings.staff_webhook_key,
        )

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.timeout) + LEASE_MARGIN

    def backoff(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt."""
        longest = min(self.retry_max, self.retry_first * 2 ** min(attempts - 1, 30))
        # Half fixed, half random: notices that failed together do not retry together.
        wait = longest / 2 + random.uniform(0, longest / 2)
        if retry_after is not None:
            # A receiver that says when to come back (429, 503) is believed, within bounds.
            wait = max(wait, min(retry_after, self.retry_max))
        return timedelta(seconds=wait)


class NoticeDelivery:
    def __init__(
        self,
        outbox: OutboxStore,
        restaurant: Restaurant,
        policy: DeliveryPolicy,
        client: httpx.AsyncClient,
    ) -> None:
        self.outbox = outbox
        self.restaurant = restaurant
        self.policy = policy
        self.client = client
        self._paused = False

    async def run(self) -> None:
        """Deliver due notices until cancelled; a database outage pauses, never ends, it."""
        while True:
            try:
                claimed = await self.deliver_due()
            except DatabaseUnavailable:
                claimed = 0
                if not self._paused:
                    logger.warning("staff notices paused: the database is unavailable")
                self._paused = True
            except Exception as exc:  # the loop must outlive any one failure
                claimed = 0
                # The type only: a message could quote a notice, and notices hold names.
                logger.error("staff notice delivery failed", extra={"error": type(exc).__name__})
            else:
                if self._paused:
                    logger.info("staff notices resumed")
                self._paused = False
            if not claimed:
                await asyncio.sleep(self.policy.poll)

    async def deliver_due(self) -> int:
        """One pass: give up on stale notices, then claim and post the due ones; how many."""
        if expired := await self.outbox.expire(older_than=self.policy.give_up):
            logger.warning("staff notices given up, too old", extra={"count": expired})
        due = await self.outbox.claim_due(batch=BATCH, lease=self.policy.lease)
        results = await asyncio.gather(*(self._deliver(n) for n in due), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(due)

    async def _deliver(self, notice: OutboxNotice) -> None:
        fields = {"event_id": str(notice.event_id), "type": notice.event_type}
        if notice.event_type not in self.policy.events:
            await self.outbox.finish(notice.id, "skipped")
            return
        error, retry_after = await self._post(staff_notice(notice, self.restaurant))
        if error is None:
            await self.outbox.finish(notice.id, "delivered")
            logger.info("staff notice delivered", extra={**fields, "attempts": notice.attempts})
            return
        delay = self.policy.backoff(notice.attempts, retry_after)
        logger.warning(
            "staff notice not delivered, will retry",
            extra={
                **fields,
                "attempt": notice.attempts,
                "error": error,
                "retry_in_s": round(delay.total_seconds(), 2),
            },
        )
        await self.outbox.retry_later(notice.id, delay=delay, error=error)

    async def _post(self, body: StaffNotice) -> tuple[str | None, float | None]:
        """Post one notice: no error, or what went wrong and when the receiver asks us back."""
        # The bytes signed are the bytes sent.
        content = body.model_dump_json(exclude_none=True).encode()
        headers = {
            "content-type": "application/json",
            # The Standard Webhooks header for the id receivers de-duplicate on.
            "webhook-id": str(body.event_id),
        }
        if self.policy.key is not None:
            # Signed at each attempt, so a retry hours later is not refused as a replay.
            now = int(time.time())
            headers |= signature_headers(self.policy.key, body.event_id, now, content)
        try:
            # The whole exchange, not just each read: a receiver trickling bytes is slow too.
            async with asyncio.timeout(self.policy.timeout):
                response = await self.client.post(self.policy.url, content=content, headers=headers)
        except TimeoutError:
            return "timed out", None
        except httpx.HTTPError as exc:
            # The class says enough (ConnectError, RemoteProtocolError); the URL is a secret.
            return type(exc).__name__, None
        if response.is_success:
            return None, None
        retry_after = response.headers.get("retry-after", "")
        return f"HTTP {response.status_code}", float(retry_after) if retry_after.isdigit() else None


@asynccontextmanager
async def delivering(
    settings: Settings, pool: asyncpg.Pool, restaurant: Restaurant
) -> AsyncIterator[None]:
    """Deliver staff notices in the background while the block runs (the API's lifespan)."""
    policy = DeliveryPolicy.from_settings(settings)
    if policy is None:
        logger.info("staff notices off: STAFF_WEBHOOK_URL is not set")
        yield
        return
    async with httpx.AsyncClient(follow_redirects=False) as client:
        outbox = OutboxStore(pool, timeout=settings.db_timeout_seconds)
        delivery = NoticeDelivery(outbox, restaurant, policy, client)
        task = asyncio.create_task(delivery.run(), name="staff-notices")
        logger.info("staff notices on", extra={"events": ",".join(sorted(policy.events))})
        try:
            yield
        finally:
            task.cancel()
            # Cancelled mid-post, a notice is claimed until its lease ends, then sent again.
            with contextlib.suppress(asyncio.CancelledError):
                await task
