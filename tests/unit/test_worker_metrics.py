"""The worker's Prometheus metrics: its setting, what counts as a tool's error, and the live
gauges of a job process that ended (agent/worker.py, agent/hooks/prometheus.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from livekit.agents import ToolError
from livekit.agents.llm import FunctionCall
from livekit.agents.llm.utils import make_function_call_output
from pydantic import ValidationError

from agent.hooks.prometheus import tool_error
from agent.worker import ReceptionWorker
from core.settings import Settings

CALL = FunctionCall(call_id="1", name="check_availability", arguments="{}")


@pytest.mark.parametrize(
    ("output", "exception", "kind"),
    [
        ("Available.", None, None),
        (None, ToolError("Ask for: date."), "refused"),
        (None, RuntimeError("bug"), "failed"),
    ],
)
def test_a_tool_error_is_a_refusal_or_a_failure(
    output: str | None, exception: Exception | None, kind: str | None
) -> None:
    # As livekit-agents turns what a tool returned or raised into the model's input.
    result = make_function_call_output(fnc_call=CALL, output=output, exception=exception)
    assert tool_error(result.fnc_call_out) == kind


def test_the_metrics_port_is_not_the_health_port() -> None:
    with pytest.raises(ValidationError, match="WORKER_METRICS_PORT must differ from WORKER_PORT"):
        Settings(_env_file=None, worker_port=9100, worker_metrics_port=9100)
    # Both 0: two free ports.
    assert Settings(_env_file=None, worker_port=0, worker_metrics_port=0)


def test_without_a_metrics_port_the_worker_keeps_no_metric_files() -> None:
    worker = ReceptionWorker(Settings(_env_file=None))
    assert worker._metrics_dir is None


def test_an_ended_job_process_is_no_longer_counted_live() -> None:
    worker = ReceptionWorker(Settings(_env_file=None, worker_metrics_port=9100))
    assert worker._metrics_dir is not None
    folder = Path(worker._metrics_dir)
    try:
        # What prometheus_client's multiprocess mode leaves of job process 4242: a live gauge
        # (calls in progress) and a counter (calls ended).
        (folder / "gauge_livesum_4242.db").write_bytes(b"")
        (folder / "counter_4242.db").write_bytes(b"")
        worker._job_process_closed(SimpleNamespace(pid=4242, running_job=None, exitcode=-9))
        assert sorted(p.name for p in folder.iterdir()) == ["counter_4242.db"]
    finally:
        shutil.rmtree(folder)
