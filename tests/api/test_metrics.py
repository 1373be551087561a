"""/metrics: calls by outcome, calls under way and the staff notice backlog, read from the
database at each scrape, behind the staff key."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from core.db.call_log import CallLog, no_facts
from tests.support.api import AUTH


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, str], float]:
    answer = await client.get("/metrics", headers=AUTH)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, sample.labels.get("outcome", "")): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


async def test_the_counts_move_after_a_call(client: httpx.AsyncClient, call_log: CallLog) -> None:
    assert (await client.get("/metrics")).status_code == 401
    before = await scrape(client)
    assert before[("receptionist_calls", "booked")] == 0
    assert before[("receptionist_calls_in_progress", "")] == 0

    call_id = await call_log.open_call("room-1", "web", None)
    during = await scrape(client)
    assert during[("receptionist_calls_in_progress", "")] == 1
    await call_log.note_facts(call_id, no_facts() | {"booked": ["K7M3QX"], "covers": 2})
    await call_log.end_call(call_id, caller_hung_up=True, failed=None)
    after = await scrape(client)
    assert after[("receptionist_calls", "booked")] == 1
    assert after[("receptionist_calls_in_progress", "")] == 0
    assert after[("receptionist_staff_notices_pending", "")] == 0
