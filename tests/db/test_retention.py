"""The purge: personal data older than restaurant.toml's [retention] is anonymised, the rows
stay, analytics do not change, and nothing that is still needed is touched."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest

from core.db.call_records import CallRecords
from core.db.reservations import ReservationStore
from core.models import Reservation
from core.restaurant import Restaurant
from core.services.calls import CallService
from core.services.reservations import ReservationService
from core.services.retention import Purged, purge_personal_data
from core.settings import get_settings
from ops.cli import main
from tests.support.database import INSPECT
from tests.support.days import DINNER, first_day_that_seats
from tests.support.retention import NOW, days_ago, personal_data, visit


async def test_each_kind_is_kept_exactly_its_retention_period(
    calls: CallService, store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool
) -> None:
    keep = restaurant.retention
    assert (keep.reservation_days, keep.escalation_days, keep.handoff_days) == (180, 90, 90)
    long_ago = await visit(store, restaurant, days_ago(181, restaurant), 1)
    on_the_cut_off = await visit(store, restaurant, days_ago(180, restaurant), 2)
    resolved = await calls.create_escalation(
        name="Ana", phone_number="+6591234567", reason="complaint", summary="Cold soup."
    )
    still_open = await calls.create_escalation(
        name="Ben", phone_number="+6591234568", reason="complaint", summary="Noisy."
    )
    async with pool.acquire() as conn:
        await INSPECT.resolve_escalation(conn, id=resolved.id)
    await calls.record_handoff(
        session_id="room-1", from_agent="greeter", to_agent="reservation", entities={"x": 1}
    )

    # Today: only the visit of 181 days ago is past its period.
    first = await purge_personal_data(calls.store, restaurant, NOW)
    assert (first.reservations, first.escalations, first.handoffs) == (1, 0, 0)
    forgotten = await personal_data(pool, long_ago)
    assert (forgotten["name"], forgotten["phone_number"], forgotten["idempotency_key"]) == (
        None,
        None,
        None,
    )
    assert forgotten["other_info"] == {} and forgotten["anonymised_at"] is not None
    assert (await personal_data(pool, on_the_cut_off))["name"] == "Mei Ling"

    # 89 days on: the callback and the handoff (90 days) are still kept.
    later = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=89))
    assert (later.escalations, later.handoffs) == (0, 0)
    # 91 days on: they are not; the open callback is kept however old.
    last = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=91))
    assert (last.escalations, last.handoffs) == (1, 1)
    async with pool.acquire() as conn:
        done = await INSPECT.escalation_personal_data_of(conn, id=resolved.id)
        pending = await INSPECT.escalation_personal_data_of(conn, id=still_open.id)
        [handoff] = [r async for r in INSPECT.handoffs_of(conn, session_id="room-1")]
    assert (done["name"], done["phone_number"], done["summary"]) == (None, None, "")
    assert (pending["name"], pending["summary"]) == ("Ben", "Noisy.")
    assert handoff["entities"] == {}
    # A second run finds nothing more to do.
    again = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=91))
    assert (again.reservations, again.escalations, again.handoffs) == (0, 0, 0)


async def test_analytics_and_covers_are_the_same_after_a_purge(
    service: ReservationService, calls: CallService, store: ReservationStore, restaurant: Restaurant
) -> None:
    day = days_ago(200, restaurant)
    for n in range(1, 6):
        await visit(store, restaurant, day, n)
        await calls.record_handoff(
            session_id=f"room-{n}", from_agent="greeter", to_agent="reservation", entities={}
        )
    before = (
        await calls.handoff_summary(),
        await store.held_covers(day),
        await service.list_for_date(day),
    )
    purged = await purge_personal_data(calls.store, restaurant, NOW + timedelta(days=91))
    assert purged.reservations == 5
    after = (
        await calls.handoff_summary(),
        await store.held_covers(day),
        await service.list_for_date(day),
    )
    assert after[0] == before[0] and after[1] == before[1]
    assert after[2].total == before[2].total == 5
    assert [r.name for r in after[2].items] == [None] * 5
    assert [r.party_size for r in after[2].items] == [r.party_size for r in before[2].items]


async def test_a_purge_while_bookings_are_written_loses_none_of_them(
    store: ReservationStore, call_records: CallRecords, restaurant: Restaurant, pool: asyncpg.Pool
) -> None:
    old = [await visit(store, restaurant, days_ago(300 + n, restaurant), n) for n in range(40)]
    # On the purge's clock: a day on the fixed test clock would be past retention some day.
    service = ReservationService(store, restaurant, clock=lambda: NOW)
    day = first_day_that_seats(service, DINNER, party_size=1)

    async def book(n: int) -> Reservation:
        return await service.create(
            phone_number=f"+659111{n:04d}",
            name=f"Guest {n}",
            reservation_date=day,
            reservation_time=DINNER,
            party_size=1,
        )

    results = await asyncio.gather(
        *(book(n) for n in range(30)),
        purge_personal_data(call_records, restaurant, NOW),
        purge_personal_data(call_records, restaurant, NOW),
    )
    booked = [r for r in results if isinstance(r, Reservation)]
    page = await service.list_for_date(day, page_size=100, status="confirmed")
    assert len(booked) == page.total == 30
    assert all(r.name and r.phone_number for r in page.items)
    purges = [r for r in results if isinstance(r, Purged)]
    # Two purges at once anonymise each old row once between them.
    assert sum(p.reservations for p in purges) == len(old)
    for reservation in old:
        assert (await personal_data(pool, reservation))["name"] is None


async def test_the_schema_refuses_to_anonymise_a_visit_still_to_come(
    store: ReservationStore, restaurant: Restaurant, pool: asyncpg.Pool
) -> None:
    upcoming = await visit(store, restaurant, days_ago(-3, restaurant), 1)
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.CheckViolationError, match="only_after_the_visit"):
            await INSPECT.anonymise_reservation_now(conn, id=upcoming.id)
    assert (await personal_data(pool, upcoming))["name"] == "Mei Ling"


async def test_receptionist_purge_says_how_many_rows_it_touched(
    store: ReservationStore,
    restaurant: Restaurant,
    migrated_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for n in range(3):
        await visit(store, restaurant, days_ago(365, restaurant), n)
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    try:
        # The command runs its own event loop, as it does from a shell.
        status = await asyncio.to_thread(main, ["purge"])
    finally:
        get_settings.cache_clear()
    assert status == 0
    assert capsys.readouterr().out.strip() == (
        "Anonymised 3 reservations, 0 callbacks and 0 handoffs, and deleted 0 failed proofs, "
        "0 calls' transcripts and 0 call recordings, older than their retention period."
    )
