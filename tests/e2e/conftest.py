"""Fixtures for the end-to-end tests: the real stacks (livekit-server, the API and a worker
process; telephony; for the staff page, the API alone), and each process's log in a failed
test's report. The stacks' shapes are in tests/support/stacks.py."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest
from livekit import api
from playwright.async_api import Browser, async_playwright

from core.restaurant import load_restaurant
from core.settings import Settings
from core.spoken.phones import normalize_phone
from ops.sip import check_telephony, provision
from testkit.s3 import BUCKET, S3Server
from testkit.stack import (
    LIVEKIT_KEY,
    LIVEKIT_SECRET,
    LiveKitServer,
    Process,
    answers,
    api_and_worker,
    find_livekit_server,
    free_port,
    start_api,
    start_worker,
)
from tests.support.browser import QUIET, chromium_path
from tests.support.containers import (
    BASE_IMAGE,
    BUILD_SECONDS,
    ContainerStack,
    base_image_exists,
    build_image,
    container,
    find_podman,
)
from tests.support.multi_node import Cluster
from tests.support.phone import Phone, Telephony, compose, find_program, staff_restaurant
from tests.support.restaurants import midday_restaurant
from tests.support.stacks import (
    BUCKET_RECORDING_AGENT,
    CALLS_THAT_END,
    LIMITED,
    LIMITED_AGENT,
    PHONE_AGENT,
    PHONE_CALLS,
    RECORDING_AGENT,
    TIME_TO_SERVICE,
    Deployment,
    PhoneStack,
    Stack,
    StaffStack,
    missing,
    service_env,
)


@pytest.fixture(scope="session")
def livekit_binary() -> str:
    binary = find_livekit_server()
    if binary is None:
        missing("livekit-server is not installed (run scripts/setup-livekit)")
    assert binary is not None
    return binary


@pytest.fixture(scope="session")
def telephony_programs() -> dict[str, str]:
    """livekit-sip, Redis and baresip (scripts/setup-sip, scripts/setup-phone)."""
    found = {name: find_program(name) for name in ("livekit-sip", "redis-server", "baresip")}
    absent = [name for name, path in found.items() if path is None]
    if absent:
        missing(
            f"{', '.join(absent)} not installed (run scripts/setup-sip and scripts/setup-phone)"
        )
    return {name: path for name, path in found.items() if path is not None}


@pytest.fixture(scope="session")
def stack(livekit_binary: str, migrated_url: str) -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-e2e-"))
    # These tests prove the call, not admission control: a CI machine busy with Chromium must
    # not make livekit-server withhold the job from the worker (its default target load is 0.7).
    # Webhooks for its API, the limited deployment's and the two recording ones'.
    ports = (free_port(), free_port(), free_port(), free_port())
    livekit = LiveKitServer(livekit_binary, workdir, target_load=100.0, api_ports=ports)
    started: list[Process | LiveKitServer] = []
    try:
        livekit.start()
        started.append(livekit)
        # Its worker serves its metrics, on a port it logs (tests/e2e/test_worker_metrics.py);
        # not recording (the default): tests/e2e/test_recording.py finds nothing here.
        env = service_env(
            migrated_url,
            livekit.url,
            WORKER_METRICS_PORT="0",
            RECORDINGS_DIR=str(workdir / "recordings"),
        )
        api, api_base = start_api(env, workdir, livekit.api_ports[0])
        started.append(api)
        worker = start_worker(env, workdir)
        started.append(worker)
        yield Stack(livekit, api, api_base, worker, workdir)
    finally:
        # Also when start-up failed half-way: nothing may outlive the test run.
        for process in reversed(started):
            process.stop()


@pytest.fixture(scope="module")
def phone_models() -> str:
    """The stand-in models of the phone stack's worker; a module overrides it for its own."""
    return PHONE_CALLS


@pytest.fixture(scope="module")
def phone_settings() -> dict[str, str]:
    """Settings of the phone stack's worker besides its defaults; a module overrides it."""
    return {}


@pytest.fixture(scope="module")
def limited(stack: Stack, migrated_url: str) -> Iterator[Deployment]:
    """A deployment with low limits (LIMITED) beside the stack's own, on its LiveKit server."""
    env = service_env(
        migrated_url, stack.livekit.url, models=CALLS_THAT_END, AGENT_NAME=LIMITED_AGENT, **LIMITED
    )
    with api_and_worker(env, stack.workdir / "limited", stack.livekit.api_ports[1]) as (
        api_base,
        worker,
    ):
        yield Deployment(api_base, worker)


@pytest.fixture(scope="module")
def recording(stack: Stack, migrated_url: str) -> Iterator[Deployment]:
    """A deployment that records its calls (RECORD_CALLS), beside the stack's own."""
    workdir = stack.workdir / "recording"
    env = service_env(
        migrated_url,
        stack.livekit.url,
        AGENT_NAME=RECORDING_AGENT,
        RECORD_CALLS="true",
        RECORDINGS_DIR=str(workdir / "recordings"),
    )
    # Its API on the port of the LiveKit server's third webhook (LiveKitServer.api_ports).
    with api_and_worker(env, workdir, stack.livekit.api_ports[2]) as (api_base, worker):
        yield Deployment(api_base, worker)


@pytest.fixture(scope="module")
def recording_in_bucket(
    stack: Stack, migrated_url: str, s3_server: S3Server
) -> Iterator[tuple[Deployment, str]]:
    """A deployment that records its calls into an S3-compatible bucket (RECORDINGS_BUCKET),
    and that bucket's URL; its keys reach it in the environment, as an operator's would."""
    bucket = f"s3://{BUCKET}/e2e-recordings"
    env = service_env(
        migrated_url,
        stack.livekit.url,
        AGENT_NAME=BUCKET_RECORDING_AGENT,
        RECORD_CALLS="true",
        RECORDINGS_BUCKET=bucket,
        RECORDINGS_S3_ENDPOINT=s3_server.endpoint,
        **s3_server.env(),
    )
    workdir = stack.workdir / "recording-bucket"
    with api_and_worker(env, workdir, stack.livekit.api_ports[3]) as (api_base, worker):
        yield Deployment(api_base, worker), bucket


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    """Headless Chromium with a fake microphone it may use."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[*QUIET, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
        )
        yield browser
        await browser.close()


# Module scope: only the phone modules use it, and the machine's two cores are better spent on
# the tests after each than on an idle stack.
@pytest.fixture(scope="module")
async def phone_stack(
    livekit_binary: str,
    telephony_programs: dict[str, str],
    migrated_url: str,
    phone_models: str,
    phone_settings: dict[str, str],
) -> AsyncIterator[PhoneStack]:
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-phone-"))
    telephony = Telephony(
        workdir, telephony_programs["redis-server"], telephony_programs["livekit-sip"]
    )
    started: list[Process | LiveKitServer] = []
    try:
        started.append(telephony.start_redis(dict(os.environ)))
        livekit = LiveKitServer(
            livekit_binary, workdir, target_load=100.0, redis=telephony.redis_config
        )
        livekit.start()
        started.append(livekit)
        sip = telephony.start_sip(dict(os.environ), livekit.url, LIVEKIT_KEY, LIVEKIT_SECRET)
        started.append(sip)
        staff = Phone("staff", workdir, "staff", workdir / "staff.wav")
        compose(staff.microphone, [60.0])
        staff.configure(answer=True)
        restaurant_file = staff_restaurant(workdir, staff.address)
        env = service_env(
            migrated_url,
            livekit.url,
            AGENT_NAME=PHONE_AGENT,
            models=phone_models,
            RESTAURANT_CONFIG=str(restaurant_file),
            **({"PHONE_SILENCE_SECONDS": "10"} | phone_settings),
        )
        worker = start_worker(env, workdir)
        started.append(worker)
        # Provisioned as `receptionist up` does it, twice: the second finds the first's.
        restaurant = load_restaurant(restaurant_file)
        lines = check_telephony(Settings(sip_enabled=True), restaurant)
        assert lines is not None
        http = livekit.url.replace("ws://", "http://")
        async with api.LiveKitAPI(http, LIVEKIT_KEY, LIVEKIT_SECRET) as lkapi:
            ids = await provision(lkapi, lines, PHONE_AGENT)
            assert await provision(lkapi, lines, PHONE_AGENT) == ids
        number = normalize_phone(restaurant.identity.phone, restaurant.locale.phone_region)
        dial = f"sip:{number}@127.0.0.1:{telephony.sip_port}"
        yield PhoneStack(
            livekit, telephony, worker, sip, staff, workdir, dial, *ids, restaurant_file
        )
    finally:
        for process in reversed(started):
            process.stop()


@pytest.fixture(scope="module")
def staff_stack(migrated_url: str) -> Iterator[StaffStack]:
    """The API serving a restaurant where it is midday now (so walk-ins can be seated and
    tonight booked whenever the test runs). The staff page needs no LiveKit server or worker."""
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-staff-"))
    restaurant_file = midday_restaurant(workdir)
    recordings = workdir / "recordings"
    env = service_env(
        migrated_url,
        "ws://127.0.0.1:9",
        RESTAURANT_CONFIG=str(restaurant_file),
        RECORDINGS_DIR=str(recordings),
    )
    api, api_base = start_api(env, workdir)
    try:
        yield StaffStack(api, api_base, restaurant_file, recordings)
    finally:
        api.stop()


@pytest.fixture(scope="session")
def podman() -> str:
    """podman, and the local base image the product's image builds from (scripts/setup-podman)."""
    found = find_podman()
    if found is None or not base_image_exists(found):
        missing(f"podman or its base image {BASE_IMAGE} is missing (run scripts/setup-podman)")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def container_stack(
    podman: str, livekit_binary: str, migrated_url: str
) -> Iterator[ContainerStack]:
    """The repository's Dockerfile built now, its API and worker run as containers on the host's
    network against this run's PostgreSQL and a livekit-server of their own."""
    workdir = Path(tempfile.mkdtemp(prefix="receptionist-image-"))
    BUILD_SECONDS.append(build_image(podman, workdir / "build.log"))
    livekit = LiveKitServer(livekit_binary, workdir, target_load=100.0)
    api_port, worker_port = livekit.api_ports[0], free_port()
    # Loopback only: on the host's network the containers' ports are this machine's.
    env = service_env(
        migrated_url,
        livekit.url,
        API_HOST="127.0.0.1",
        API_PORT=str(api_port),
        WORKER_HOST="127.0.0.1",
        WORKER_PORT=str(worker_port),
    )
    api_base, health = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{worker_port}/"
    started: list[Process | LiveKitServer] = []
    try:
        livekit.start()
        started.append(livekit)
        api = container(podman, "api", env, workdir)
        started.append(api)
        # Generous: the first start of a container on a busy machine is slow.
        api.start_and_wait(lambda: answers(f"{api_base}/healthz"), "the API container", 120)
        worker = container(podman, "worker", env, workdir)
        started.append(worker)
        worker.start_and_wait(
            lambda: "registered worker" in worker.output(), "the worker container to register", 180
        )
        yield ContainerStack(livekit, api, api_base, worker, workdir, health, env, podman)
    finally:
        for process in reversed(started):
            process.stop()


@pytest.fixture(scope="module")
def cluster(livekit_binary: str, migrated_url: str) -> Iterator[Cluster]:
    """Redis, two livekit-server nodes on it, an API and a worker on each (multi_node.py)."""
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="receptionist-multi-")))
    try:
        cluster.start(livekit_binary, migrated_url)
        yield cluster
    finally:
        cluster.stop()


# How much of each process's log a failed test's report shows.
LOG_LINES = 60


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for seconds in BUILD_SECONDS:
        terminalreporter.write_line(f"the product's image built in {seconds:.1f} s")
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
    for name in ("stack", "container_stack"):
        if isinstance(stack := funcargs.get(name), Stack):
            processes += [stack.worker, stack.api, stack.livekit.child]
    if isinstance(phones := funcargs.get("phone_stack"), PhoneStack):
        processes += [phones.worker, phones.sip, phones.livekit.child]
    if isinstance(staff := funcargs.get("staff_stack"), StaffStack):
        processes.append(staff.api)
    if isinstance(cluster := funcargs.get("cluster"), Cluster):
        processes += cluster.logs()
    if isinstance(limited := funcargs.get("limited"), Deployment):
        processes.append(limited.worker)
    if report.failed:
        for process in processes:
            lines = process.output().splitlines()[-LOG_LINES:]
            report.sections.append((f"{process.name} log, last lines", "\n".join(lines)))
    return report
