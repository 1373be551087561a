"""Attacks on the operator's secrets, in pieces: a sample's or a short key guarding an API others
can reach, a secret read off a command line, a key file readable by others, and a key shown on
the screen every start."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import StartupError
from core.keys import fingerprint
from core.settings import Settings
from ops.private_files import create_private, write_private
from ops.sip import redis_command, redis_config, sip_command
from ops.stack import DEV_API_KEY, livekit_command, staff_key
from tests.support.settings import settings_from

STRONG = "k3Y-Strong-Enough-For-Anyone-To-Face-0123"
# A random value, too short: refused without being echoed.
SHORT = "Zq8-rT2-pW9"
SAMPLE = "a-secret-of-at-least-32-characters-long"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def careless_umask() -> Iterator[None]:
    """A umask that would leave any file readable and writable by everyone."""
    before = os.umask(0)
    yield
    os.umask(before)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"API_HOST": "0.0.0.0", "API_KEY": "change-me"}, "a key in API_KEY is a placeholder"),
        ({"API_HOST": "0.0.0.0", "API_KEY": SHORT}, "a key in API_KEY is shorter than 32"),
        # A rotation list: the weak key is refused even beside a strong one.
        ({"API_HOST": "192.168.1.20", "API_KEY": f"{STRONG}, {SHORT}"}, "a key in API_KEY"),
        ({"API_HOST": "::", "LIVEKIT_API_SECRET": "secret"}, "LIVEKIT_API_SECRET is a placeholder"),
        # .env.example's own sample is long enough, and still a sample.
        (
            {
                "API_HOST": "0.0.0.0",
                "LIVEKIT_API_SECRET": "a-secret-of-at-least-32-characters-long",
            },
            "LIVEKIT_API_SECRET is a placeholder",
        ),
        # A LiveKit server elsewhere is guarded by this secret whatever API_HOST is.
        (
            {"LIVEKIT_URL": "wss://lk.example.com", "LIVEKIT_API_SECRET": SHORT},
            "LIVEKIT_API_SECRET is shorter than 32",
        ),
    ],
)
def test_a_weak_key_guarding_more_than_this_machine_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    with pytest.raises(StartupError, match=named) as refused:
        settings_from(monkeypatch, **env)
    assert "guards more than this machine" in str(refused.value)
    assert SHORT not in str(refused.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_on_this_machine_alone_any_key_will_do(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    settings = settings_from(
        monkeypatch, API_HOST=host, API_KEY="change-me", LIVEKIT_API_SECRET="secret"
    )
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "change-me"


def test_strong_keys_may_face_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(
        monkeypatch, API_HOST="0.0.0.0", API_KEY=f"{STRONG},{STRONG}x", LIVEKIT_API_SECRET=STRONG
    )
    assert settings.api_host == "0.0.0.0"


def test_private_files_are_the_owners_alone_whatever_the_umask(
    tmp_path: Path, careless_umask: None
) -> None:
    key = tmp_path / "data" / "dev-api-key"
    assert create_private(key, "first\n")
    assert not create_private(key, "second\n")  # made once; a second start reads it
    assert key.read_text() == "first\n" and mode(key) == 0o600
    assert mode(key.parent) == 0o700
    config = tmp_path / "data" / "livekit-sip.yaml"
    config.write_text("old")
    config.chmod(0o644)
    write_private(config, "api_secret: s\n")
    assert config.read_text() == "api_secret: s\n" and mode(config) == 0o600
    # No temporary file is left behind.
    assert sorted(p.name for p in key.parent.iterdir()) == ["dev-api-key", "livekit-sip.yaml"]


def test_a_key_file_an_older_version_left_readable_is_narrowed(tmp_path: Path) -> None:
    key = tmp_path / "dev-api-key"
    key.write_text("old-key\n")
    key.chmod(0o644)
    assert not create_private(key, "new\n")
    assert key.read_text() == "old-key\n" and mode(key) == 0o600


def test_up_shows_the_staff_key_once_then_only_where_it_is(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, api_key=None, data_dir=tmp_path)
    key, shown = staff_key(settings)
    where = tmp_path / DEV_API_KEY
    assert key in shown and str(where) in shown and mode(where) == 0o600
    again, shown_again = staff_key(settings)
    assert again == key and key not in shown_again
    assert shown_again == f"$(cat {where})"


def test_up_names_the_operators_key_by_its_fingerprint(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, api_key=f"{STRONG},old-key", data_dir=tmp_path)
    key, shown = staff_key(settings)
    assert key == f"{STRONG},old-key"
    assert STRONG not in shown and fingerprint(STRONG) in shown
    assert not (tmp_path / DEV_API_KEY).exists()


def test_no_secret_goes_on_a_child_command_line(tmp_path: Path, careless_umask: None) -> None:
    redis = redis_config("redis://:p%40ss%20w%22rd@127.0.0.1:6390")
    assert redis["password"] == 'p@ss w"rd'
    conf = tmp_path / "redis.conf"
    argv = redis_command("redis-server", redis, conf)
    assert argv == ["redis-server", str(conf)]
    assert 'requirepass "p@ss\\x20w\\x22rd"' in conf.read_text().splitlines()
    sip = tmp_path / "livekit-sip.yaml"
    livekit = ("ws://127.0.0.1:7880", "devkey", STRONG)
    argv += sip_command("livekit-sip", sip, {"sip_port": 5060}, redis, livekit)
    server = livekit_command(Settings(_env_file=None, data_dir=tmp_path), redis=redis)
    argv += server
    assert STRONG not in " ".join(argv) and "p@ss" not in " ".join(argv)
    assert server[-2:] == ["--config", str(tmp_path / "stack" / "livekit-server.yaml")]
    for path in (conf, sip, Path(server[-1])):
        assert mode(path) == 0o600
    assert STRONG in sip.read_text() and "p@ss" in Path(server[-1]).read_text()


def test_the_redis_up_starts_has_no_other_user(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="REDIS_URL: the Redis `receptionist up` starts"):
        redis_command("redis-server", redis_config("redis://app:pw@127.0.0.1:6390"), tmp_path)
