"""The load the worker reports to livekit-server (agent/worker.py)."""

from __future__ import annotations

import pytest

from agent.worker import MAX_REPORTED_LOAD, ReceptionWorker
from core.settings import Settings


def worker_measuring(load: float, threshold: float) -> ReceptionWorker:
    worker = ReceptionWorker(Settings(worker_load_threshold=threshold))
    # What livekit puts in place before "worker_started": its CPU measure.
    worker.load_fnc = lambda _worker: load
    worker.emit("worker_started")
    return worker


@pytest.mark.parametrize("threshold", [float("inf"), 1.5])
def test_with_admission_control_off_a_saturated_machine_stays_eligible(threshold: float) -> None:
    worker = worker_measuring(1.0, threshold)
    assert worker.load_fnc is not None
    assert worker.load_fnc(worker) == MAX_REPORTED_LOAD < 1.0  # type: ignore[call-arg]
    # A load below the cap is reported as measured.
    assert worker_measuring(0.4, threshold).load_fnc(worker) == 0.4  # type: ignore[call-arg,misc]


def test_with_a_threshold_the_load_is_reported_as_measured() -> None:
    worker = worker_measuring(1.0, 0.7)
    assert worker.load_fnc is not None
    assert worker.load_fnc(worker) == 1.0  # type: ignore[call-arg]
