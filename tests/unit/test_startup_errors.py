"""A mistake the operator must fix is one clear sentence, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.cli import main
from core.errors import StartupError
from core.restaurant import load_restaurant
from core.settings import PROJECT_ROOT, Settings, get_settings
from core.stack import livekit_command
from tests.e2e.harness import free_port

SAMPLE = (PROJECT_ROOT / "restaurant.toml").read_text()


@pytest.fixture
def bad_restaurant(tmp_path: Path) -> Path:
    path = tmp_path / "restaurant.toml"
    path.write_text(SAMPLE.replace("capacity_covers = 40", 'capacity_covers = "lots"'))
    return path


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_wrong_value_names_the_file_and_the_setting(bad_restaurant: Path) -> None:
    assert 'capacity_covers = "lots"' in bad_restaurant.read_text()
    with pytest.raises(StartupError) as raised:
        load_restaurant(bad_restaurant)
    assert str(raised.value).startswith(f"{bad_restaurant} needs fixing: booking.capacity_covers:")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            'name = "x"\n[[[',
            "is not valid TOML: Invalid initial character for a key part (at line 2",
        ),
        ("", "needs fixing: restaurant: Field required"),
    ],
)
def test_a_broken_file_says_where(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "restaurant.toml"
    path.write_text(content)
    with pytest.raises(StartupError, match="^" + str(path)) as raised:
        load_restaurant(path)
    assert expected in str(raised.value)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="Cannot read the restaurant file .*: No such file"):
        load_restaurant(tmp_path / "nowhere.toml")


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


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("port: [", "is not valid YAML at line 1: expected the node content"),
        ("- just a list", "should hold livekit-server's settings as a YAML mapping"),
    ],
)
def test_a_broken_livekit_server_config_says_where(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "livekit.yaml"
    path.write_text(content)
    with pytest.raises(StartupError, match="^" + str(path)) as raised:
        livekit_command(Settings(livekit_server_config=path))
    assert expected in str(raised.value)


def test_a_missing_livekit_server_config_says_so(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="Cannot read the LiveKit server config .*No such file"):
        livekit_command(Settings(livekit_server_config=tmp_path / "nowhere.yaml"))
