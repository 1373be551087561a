"""Start-up refusals of the real entry points: one clear sentence, never a traceback.

These run `receptionist` in-process and the worker as a child process, so they live with the
other tests that start processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, get_settings
from ops.cli import main
from testkit.stack import free_port


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_migrate_without_a_database_says_where_it_looked_and_hides_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fresh_settings: None
) -> None:
    port = free_port()  # nothing listens there
    monkeypatch.setenv("DATABASE_URL", f"postgresql://staff:s3cret@127.0.0.1:{port}/bookings")
    assert main(["migrate"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(
        f"receptionist: Cannot connect to PostgreSQL at 127.0.0.1:{port}/bookings"
    )
    assert "s3cret" not in error and "Traceback" not in error


def test_up_with_a_broken_restaurant_file_starts_nothing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fresh_settings: None,
    bad_restaurant: Path,
) -> None:
    monkeypatch.setenv("RESTAURANT_CONFIG", str(bad_restaurant))
    assert main(["up"]) == 1
    output = capsys.readouterr()
    assert output.err.startswith(f"receptionist: {bad_restaurant} needs fixing")
    assert "Talk to the agent" not in output.out


def start_worker(**env: str) -> subprocess.CompletedProcess[str]:
    """`python -m agent start` with `env` on top of ours: it should refuse before connecting."""
    return subprocess.run(
        [sys.executable, "-m", "agent", "start"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_worker_refuses_to_start_without_an_openai_key() -> None:
    done = start_worker(OPENAI_API_KEY="")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Set OPENAI_API_KEY")


def test_the_worker_refuses_a_broken_restaurant_file(bad_restaurant: Path) -> None:
    done = start_worker(OPENAI_API_KEY="sk-test", RESTAURANT_CONFIG=str(bad_restaurant))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith(f"{bad_restaurant} needs fixing")
    assert "Traceback" not in done.stderr


def test_the_worker_without_a_database_says_how_to_get_one() -> None:
    # The embedded PostgreSQL is the operator's development tool (ops/), not the worker's.
    done = start_worker(OPENAI_API_KEY="sk-test", DATABASE_URL="")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Set DATABASE_URL to your PostgreSQL")
    assert "Traceback" not in done.stderr


def test_the_worker_names_a_bad_setting() -> None:
    done = start_worker(OPENAI_API_KEY="sk-test", WORKER_PORT="eighty")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Fix these settings: WORKER_PORT:")
    assert "Traceback" not in done.stderr


def test_a_bad_setting_is_named_by_its_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fresh_settings: None
) -> None:
    monkeypatch.setenv("API_PORT", "abc")
    assert main(["migrate"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("receptionist: Fix these settings: API_PORT: Input should be")
    assert "Traceback" not in error


def test_a_worker_that_gives_up_on_livekit_exits_with_a_failure(migrated_url: str) -> None:
    # A supervisor restarts what fails: giving up must not look like a clean exit.
    done = start_worker(
        OPENAI_API_KEY="sk-test",
        DATABASE_URL=migrated_url,
        LIVEKIT_URL=f"ws://127.0.0.1:{free_port()}",  # nothing listens there
        LIVEKIT_API_KEY="devkey",
        LIVEKIT_API_SECRET="a-secret-of-at-least-32-characters!",
        WORKER_MAX_RETRY="1",
        WORKER_PORT="0",
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "The voice worker gave up reaching LiveKit; see the log above."
    )


def test_the_worker_names_a_local_model_it_cannot_load(migrated_url: str) -> None:
    done = start_worker(
        OPENAI_API_KEY="sk-test",
        DATABASE_URL=migrated_url,
        SPEECH_MODE="pipeline",
        STT_PROVIDER="local",
        LOCAL_STT_MODEL="/no/such/whisper-model",
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("LOCAL_STT_MODEL=/no/such/whisper-model: cannot load it")
    )
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "where",
    [
        {"LIVEKIT_URL": "wss://restaurant-abc123.livekit.cloud"},
        {"LIVEKIT_OBSERVABILITY_URL": "https://observe.example.com"},
    ],
)
def test_the_worker_refuses_recording_that_livekit_agents_would_upload(
    where: dict[str, str],
) -> None:
    done = start_worker(OPENAI_API_KEY="sk-test", RECORD_CALLS="true", **where)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("RECORD_CALLS is on, but")
    assert "Traceback" not in done.stderr
