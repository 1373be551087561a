"""A call's share of the worker's Prometheus metrics (agent/hooks/prometheus.py): real agents,
scripted model, the real database; read from this process's registry."""

from __future__ import annotations

from prometheus_client import REGISTRY

from agent.call.state import CallState
from agent.hooks.prometheus import CallMetrics
from core.db.call_log import CallLog
from testkit.scripted_llm import Rule, call
from tests.support.calls import recorded_call, script


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_call_is_counted_while_it_lasts_and_by_its_outcome(
    state: CallState, call_log: CallLog
) -> None:
    refused = {"tool": "check_availability", "kind": "refused"}
    before = {
        "in_progress": sample("receptionist_worker_calls_in_progress"),
        "no_action": sample("receptionist_worker_calls_ended_total", outcome="no_action"),
        "refused": sample("receptionist_worker_tool_errors_total", **refused),
    }
    model = script(
        Rule(user="table", then=[call("transfer_to_reservation", party_size="4")]),
        # Without a day and a time the tool refuses, for the model to ask for them.
        Rule(user="available", then=[call("check_availability")]),
    )
    async with recorded_call(state, model, call_log) as (session, recorder):
        assert recorder is not None
        metrics = CallMetrics(session, recorder)
        assert sample("receptionist_worker_calls_in_progress") == before["in_progress"] + 1
        await session.run(user_input="A table for 4 please")
        await session.run(user_input="Is it available?")
    # After the record is finished (recorded_call does it too: the job's end may ask twice).
    await metrics.ended()
    assert sample("receptionist_worker_calls_in_progress") == before["in_progress"]
    assert recorder.outcome == "no_action"
    ended = sample("receptionist_worker_calls_ended_total", outcome="no_action")
    assert ended == before["no_action"] + 1
    errors = sample("receptionist_worker_tool_errors_total", **refused)
    assert errors == before["refused"] + 1
