"""The product's image (the repository's Dockerfile), built in this run: a caller booked by voice
through the API and the voice worker running as containers, on the host's network, against
this run's PostgreSQL and livekit-server. Only the speech models are stand-ins, named by the
product's own SPEECH_MODELS_FACTORY setting (tests/support/containers.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from core.db.reservations import ReservationStore
from core.settings import PROJECT_ROOT
from testkit.caller import Caller
from testkit.stack import answers
from tests.support.containers import ContainerStack, container
from tests.support.stacks import book_by_voice, missing, until


async def test_a_caller_is_served_by_the_api_and_worker_containers(
    container_stack: ContainerStack, store: ReservationStore
) -> None:
    stack = container_stack
    caller = Caller()
    try:
        # The token and the room from the API's container, the agent from the worker's.
        await caller.join(stack.api_base)
        await until(lambda: caller.agent() is not None, "the agent to join the room", 60)
        await until(lambda: caller.agent_voiced_frames > 0, "the agent's greeting", 30)
        await book_by_voice(caller, timeout=30)
    finally:
        await caller.leave()

    code = str(caller.notices[0]["confirmation_code"])
    booked = await store.get_by_code(code)
    assert booked is not None and booked.session_id == caller.room.name
    assert (booked.phone_number, booked.party_size, booked.name) == ("+6598207272", 4, "Mei Ling")
    # The worker container took the call (its log is the container's output).
    assert any(
        r.get("message") == "call started" and r.get("session") == caller.room.name
        for r in stack.worker.records()
    )


def test_each_role_reports_its_health_and_runs_unprivileged(
    container_stack: ContainerStack,
) -> None:
    stack = container_stack
    assert answers(stack.worker_health), "the worker's health endpoint"
    for role, running in (("api", stack.api), ("worker", stack.worker)):
        # What a compose file's or an orchestrator's health check runs.
        assert running.exec("receptionist-container", "health", role).returncode == 0, role
        assert running.exec("id", "-u").stdout.strip() == "10001", role
    # Where nothing answers, the check fails (the containers share the host's network, so
    # the other role's port would answer: port 9 has nothing on it).
    nothing = stack.api.exec("env", "API_PORT=9", "receptionist-container", "health", "api")
    assert nothing.returncode != 0


def test_the_migrate_role_applies_migrations_and_exits(container_stack: ContainerStack) -> None:
    stack = container_stack
    migrate = container(stack.podman, "migrate", stack.env, stack.workdir)
    done = subprocess.run(migrate.argv, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_unknown_role_is_refused_by_name(container_stack: ContainerStack) -> None:
    stack = container_stack
    wrong = container(stack.podman, "wroker", stack.env, stack.workdir)
    done = subprocess.run(wrong.argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 64
    assert "unknown role 'wroker': worker, api, migrate" in done.stderr


def test_the_compose_file_passes_the_compose_schema(tmp_path: Path) -> None:
    """docker-compose checks compose.yaml against the Compose schema (it needs no engine);
    the same file with a misspelt option is refused, so the check can fail."""
    program = shutil.which("docker-compose")
    if program is None:
        missing("docker-compose is not installed (run scripts/setup-podman)")
    assert program is not None
    text = (PROJECT_ROOT / "compose.yaml").read_text()
    env = {
        "PATH": os.environ["PATH"],
        "POSTGRES_PASSWORD": "a-password",
        "LIVEKIT_API_KEY": "a-key",
        "LIVEKIT_API_SECRET": "a-secret",
    }
    (tmp_path / ".env").write_text("")

    def config(content: str) -> subprocess.CompletedProcess[str]:
        (tmp_path / "compose.yaml").write_text(content)
        return subprocess.run(
            [program, "--file", "compose.yaml", "config"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    valid = config(text)
    assert valid.returncode == 0, valid.stderr
    resolved = yaml.safe_load(valid.stdout)
    assert resolved["services"]["api"]["environment"]["DATABASE_URL"] == (
        "postgresql://receptionist:a-password@127.0.0.1:5432/receptionist"
    )
    misspelt = config(text.replace("stop_grace_period:", "stop_grace_periods:"))
    assert misspelt.returncode != 0
    assert "Unsupported config option for services.worker: 'stop_grace_periods'" in misspelt.stderr
