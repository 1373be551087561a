"""The real stacks for end-to-end tests: livekit-server, the API and a worker process; and, for
the staff page, the API alone."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.harness import (
    LiveKitServer,
    Process,
    find_livekit_server,
    service_env,
    start_api,
    start_worker,
)
from tests.midday import midday_restaurant


@dataclass
class Stack:
    livekit: LiveKitServer
    api: Process
    api_base: str
    worker: Process
    workdir: Path


@pytest.fixture(scope="session")
def livekit_binary() -> str:
    binary = find_livekit_server()
    if binary is None:
        reason = "livekit-server is not installed (run scripts/setup-livekit)"
        if os.environ.get("CI"):
            # In CI a missing server is a broken machine, not a reason to skip.
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return binary


@pytest.fixture(scope="session")
def stack(livekit_binary: str, migrated_url: str) -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-e2e-"))
    # These tests prove the call, not admission control: a CI machine busy with Chromium must
    # not make livekit-server withhold the job from the worker (its default target load is 0.7).
    livekit = LiveKitServer(livekit_binary, workdir, target_load=100.0)
    started: list[Process | LiveKitServer] = []
    try:
        livekit.start()
        started.append(livekit)
        env = service_env(migrated_url, livekit.url)
        api, api_base = start_api(env, workdir)
        started.append(api)
        worker = start_worker(env, workdir)
        started.append(worker)
        yield Stack(livekit, api, api_base, worker, workdir)
    finally:
        # Also when start-up failed half-way: nothing may outlive the test run.
        for process in reversed(started):
            process.stop()


@dataclass
class StaffStack:
    api: Process
    api_base: str
    restaurant_file: Path


@pytest.fixture(scope="module")
def staff_stack(migrated_url: str) -> Iterator[StaffStack]:
    """The API serving a restaurant where it is midday now (so walk-ins can be seated and
    tonight booked whenever the test runs). The staff page needs no LiveKit server or worker."""
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-staff-"))
    restaurant_file = midday_restaurant(workdir)
    env = service_env(migrated_url, "ws://127.0.0.1:9", RESTAURANT_CONFIG=str(restaurant_file))
    api, api_base = start_api(env, workdir)
    try:
        yield StaffStack(api, api_base, restaurant_file)
    finally:
        api.stop()


LOG_LINES = 60
# (fault, seconds until the caller was served or told), filled by tests/e2e/test_faults.py.
TIME_TO_SERVICE: list[tuple[str, float]] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIME_TO_SERVICE:
        terminalreporter.section("time to service after each fault")
        for fault, seconds in TIME_TO_SERVICE:
            terminalreporter.write_line(f"{seconds:6.1f} s  {fault}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed end-to-end test shows the end of each process's log: CI keeps nothing else."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    processes: list[Process] = []
    if isinstance(stack := funcargs.get("stack"), Stack):
        processes += [stack.worker, stack.api, stack.livekit.child]
    if isinstance(staff := funcargs.get("staff_stack"), StaffStack):
        processes.append(staff.api)
    if report.failed:
        for process in processes:
            lines = process.output().splitlines()[-LOG_LINES:]
            report.sections.append((f"{process.name} log, last lines", "\n".join(lines)))
    return report
