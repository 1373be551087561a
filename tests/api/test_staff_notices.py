"""Staff notices from the outbox to real HTTP receivers on 127.0.0.1, posted by the API's own
background delivery: a receiver answering 500, one that hangs past the timeout, one that is down
at first. Every notice arrives once after it recovers, and the agent's writes never wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from core.db.outbox import OutboxStore
from core.db.pool import create_pool
from core.notices.delivery import DeliveryPolicy, NoticeDelivery
from core.restaurant import Restaurant
from core.services.calls import CallService
from core.services.reservations import ReservationService
from tests.support.api import the_api_posting_to
from tests.support.database import INSPECT, outbox
from tests.support.days import DINNER, SATURDAY
from tests.support.receiver import WAIT, Answer, Receiver


@pytest.fixture
async def receivers() -> AsyncIterator[list[Receiver]]:
    """Receivers a test starts; stopped afterwards, hanging requests released first."""
    started: list[Receiver] = []
    yield started
    for receiver in started:
        await receiver.stop()


async def receiver_that(answer: Callable[[int], Answer], started: list[Receiver]) -> Receiver:
    receiver = Receiver(answer)
    started.append(receiver)
    await receiver.start()
    return receiver


async def the_agents_day(service: ReservationService, calls: CallService) -> list[str]:
    """What the voice agent writes in a few calls: a booking, a cancellation, a callback."""
    booked = await service.create(
        phone_number="+6598207272",
        name="Mei Ling",
        reservation_date=SATURDAY,
        reservation_time=DINNER,
        party_size=4,
        other_info={"notes": "birthday"},
        session_id="room-1",
    )
    other = await service.create(
        phone_number="+6591112222",
        name="Rajesh",
        reservation_date=SATURDAY,
        reservation_time=DINNER,
        party_size=2,
        session_id="room-2",
    )
    await service.cancel(other.confirmation_code)
    await calls.create_escalation(
        name="Aisha",
        phone_number="+6591234567",
        reason="complaint",
        summary="Cold food last Friday.",
        urgency="high",
        session_id="room-3",
    )
    return [booked.confirmation_code, other.confirmation_code]


async def until_delivered(pool: asyncpg.Pool, count: int) -> list[dict[str, Any]]:
    """The outbox once `count` notices are marked delivered (the receiver answers first)."""
    async with asyncio.timeout(WAIT):
        while True:
            notices = await outbox(pool)
            if sum(n["state"] == "delivered" for n in notices) == count:
                return notices
            await asyncio.sleep(0.05)


def quick_retries(url: str, *, timeout: float) -> DeliveryPolicy:
    """Callbacks' notices only, retried and polled far faster than in production."""
    return DeliveryPolicy(
        url=url,
        events=frozenset({"escalation.created"}),
        timeout=timeout,
        retry_first=0.05,
        retry_max=0.2,
        give_up=timedelta(hours=24),
        poll=0.01,
    )


def assert_each_accepted_once(receiver: Receiver, notices: list[dict[str, Any]]) -> None:
    # Once delivered, the outbox keeps no copy of the caller's details.
    assert all(n["subject"] == {} for n in notices)
    ids = {str(n["event_id"]) for n in notices}
    assert dict(receiver.accepted) == dict.fromkeys(ids, 1)
    for n in notices:
        tries = [a for a in receiver.arrivals if a.event_id == str(n["event_id"])]
        # Every attempt carried the same id, in the body and in the webhook-id header.
        assert {a.header_id for a in tries} == {str(n["event_id"])}
        assert len(tries) == n["attempts"]


async def test_a_receiver_answering_500_gets_every_notice_once_it_recovers(
    service: ReservationService,
    calls: CallService,
    pool: asyncpg.Pool,
    api_env: None,
    receivers: list[Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = await receiver_that(lambda attempt: "fail" if attempt <= 2 else "accept", receivers)
    async with the_api_posting_to(receiver.url, monkeypatch):
        codes = await the_agents_day(service, calls)
        await receiver.wait_until(lambda r: len(r.accepted) == 4)
        notices = await until_delivered(pool, 4)
    assert [n["attempts"] for n in notices] == [3, 3, 3, 3]
    assert_each_accepted_once(receiver, notices)
    bodies = {a.body["type"]: a.body for a in receiver.arrivals if a.answer == "accept"}
    assert set(bodies) == {"reservation.created", "reservation.cancelled", "escalation.created"}
    callback = bodies["escalation.created"]
    assert callback["text"] == (
        "Callback needed (high urgency): Aisha, +6591234567. complaint: Cold food last Friday."
    )
    assert callback["restaurant"] == "Tanjong Table"
    assert set(callback["escalation"]) == {
        "id", "name", "phone_number", "reason", "summary", "urgency", "created_at",
    }  # fmt: skip
    assert "reservation" not in callback
    cancelled = bodies["reservation.cancelled"]
    assert cancelled["reservation"]["confirmation_code"] == codes[1]
    assert cancelled["reservation"]["status"] == "cancelled"
    assert cancelled["text"] == (
        f"Cancelled by the voice agent: 2 guests on Sat 28 Nov at 19:00, Rajesh ({codes[1]})."
    )


async def test_a_hanging_receiver_delays_no_call_and_still_gets_each_notice_once(
    calls: CallService,
    pool: asyncpg.Pool,
    api_env: None,
    receivers: list[Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = await receiver_that(lambda attempt: "hang" if attempt == 1 else "accept", receivers)
    async with the_api_posting_to(receiver.url, monkeypatch):
        first = await calls.create_escalation(
            name="Aisha", phone_number="+6591234567", reason="complaint", summary="Cold food."
        )
        await receiver.wait_until(lambda r: r.holding == 1)
        # While the receiver holds that notice's post open, the agent's next write returns.
        await calls.create_escalation(
            name="Rajesh", phone_number="+6591112222", reason="private event", summary="A buyout."
        )
        assert receiver.holding >= 1 and not receiver.accepted
        await receiver.wait_until(lambda r: len(r.accepted) == 2)
        notices = await until_delivered(pool, 2)
    assert [n["attempts"] for n in notices] == [2, 2]
    assert_each_accepted_once(receiver, notices)
    first_notice = next(
        a.body for a in receiver.arrivals if a.event_id == str(notices[0]["event_id"])
    )
    assert first_notice["escalation"]["id"] == first.id


async def test_a_receiver_down_at_first_gets_every_notice_once_it_is_up(
    service: ReservationService,
    calls: CallService,
    pool: asyncpg.Pool,
    api_env: None,
    receivers: list[Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = Receiver(lambda attempt: "accept")
    async with the_api_posting_to(receiver.url, monkeypatch):
        await the_agents_day(service, calls)
        async with asyncio.timeout(WAIT):
            while not all(n["attempts"] >= 2 for n in await outbox(pool)):
                await asyncio.sleep(0.05)
        failed = await outbox(pool)
        assert {n["last_error"] for n in failed} == {"ConnectError"}
        assert {n["state"] for n in failed} == {"pending"}
        receivers.append(receiver)
        await receiver.start()
        await receiver.wait_until(lambda r: len(r.accepted) == 4)
        notices = await until_delivered(pool, 4)
    assert dict(receiver.accepted) == {str(n["event_id"]): 1 for n in notices}
    assert all(n["last_error"] is None for n in notices)


async def test_several_api_processes_deliver_each_notice_once(
    calls: CallService,
    restaurant: Restaurant,
    migrated_url: str,
    pool: asyncpg.Pool,
    receivers: list[Receiver],
) -> None:
    receiver = await receiver_that(lambda attempt: "accept", receivers)
    for n in range(30):
        await calls.create_escalation(
            name=f"Caller {n}", phone_number="+6591234567", reason="other", summary="."
        )
    policy = quick_retries(receiver.url, timeout=5)
    # Each with its own pool, as separate processes would have.
    pools = [await create_pool(migrated_url, min_size=1, max_size=3, timeout=5) for _ in range(3)]
    try:
        async with httpx.AsyncClient() as client:
            runs = [
                asyncio.create_task(
                    NoticeDelivery(OutboxStore(p, timeout=5), restaurant, policy, client).run()
                )
                for p in pools
            ]
            await receiver.wait_until(lambda r: len(r.accepted) == 30)
            await until_delivered(pool, 30)
            for run in runs:
                run.cancel()
            await asyncio.gather(*runs, return_exceptions=True)
    finally:
        for p in pools:
            await p.close()
    assert len(receiver.arrivals) == 30
    assert set(receiver.accepted.values()) == {1}


async def test_unwanted_types_are_skipped_and_stale_notices_given_up(
    service: ReservationService,
    calls: CallService,
    restaurant: Restaurant,
    pool: asyncpg.Pool,
    receivers: list[Receiver],
) -> None:
    receiver = await receiver_that(lambda attempt: "accept", receivers)
    await the_agents_day(service, calls)
    policy = DeliveryPolicy(
        url=receiver.url,
        events=frozenset({"escalation.created"}),  # STAFF_WEBHOOK_EVENTS left empty
        timeout=5,
        retry_first=1,
        retry_max=1,
        give_up=timedelta(hours=24),
        poll=1,
    )
    async with httpx.AsyncClient() as client:
        delivery = NoticeDelivery(OutboxStore(pool, timeout=5), restaurant, policy, client)
        assert await delivery.deliver_due() == 4
        notices = await outbox(pool)
        assert [n["state"] for n in notices] == ["skipped", "skipped", "skipped", "delivered"]
        assert all(n["subject"] == {} for n in notices)
        assert [a.body["type"] for a in receiver.arrivals] == ["escalation.created"]

        await calls.create_escalation(
            name="Late", phone_number="+6591234567", reason="other", summary="."
        )
        async with pool.acquire() as conn:
            await INSPECT.age_notices(conn, by=timedelta(hours=25))
        assert await delivery.deliver_due() == 0
    expired = (await outbox(pool))[-1]
    assert (expired["state"], expired["subject"]) == ("expired", {})
    assert len(receiver.arrivals) == 1


async def test_a_process_dying_mid_post_leaves_its_notice_to_another_once_the_lease_ends(
    calls: CallService,
    restaurant: Restaurant,
    migrated_url: str,
    pool: asyncpg.Pool,
    receivers: list[Receiver],
) -> None:
    # The first attempt never gets its answer: the process posting it dies meanwhile.
    receiver = await receiver_that(lambda attempt: "hang" if attempt == 1 else "accept", receivers)
    await calls.create_escalation(
        name="Caller", phone_number="+6591234567", reason="other", summary="."
    )
    policy = quick_retries(receiver.url, timeout=60)
    dying = await create_pool(migrated_url, min_size=1, max_size=3, timeout=5)
    other = await create_pool(migrated_url, min_size=1, max_size=3, timeout=5)
    try:
        async with httpx.AsyncClient() as client:
            first = NoticeDelivery(OutboxStore(dying, timeout=5), restaurant, policy, client)
            run = asyncio.create_task(first.run())
            await receiver.wait_until(lambda r: r.holding == 1)
            run.cancel()
            await asyncio.gather(run, return_exceptions=True)
            await dying.close()

            second = NoticeDelivery(OutboxStore(other, timeout=5), restaurant, policy, client)
            # Claimed by the dead process: nobody posts it again while its lease lasts...
            assert await second.deliver_due() == 0
            # ...and once it has run out, the other process does, once.
            async with pool.acquire() as conn:
                await INSPECT.end_notice_leases(conn)
            assert await second.deliver_due() == 1
    finally:
        await other.close()
    [notice] = await until_delivered(pool, 1)
    assert notice["attempts"] == 2
    assert list(receiver.accepted.values()) == [1]
