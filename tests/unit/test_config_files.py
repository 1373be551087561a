"""The restaurant file and the LiveKit server config: a mistake is one sentence saying where."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import StartupError
from core.restaurant import load_restaurant
from core.settings import Settings
from ops.stack import livekit_command
from tests.support.restaurants import SAMPLE_RESTAURANT


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


@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        (
            'phone_region = "SG"',
            'phone_region = "Singapore"',
            "locale.phone_region: Value error, 'Singapore' is not an ISO 3166 country code",
        ),
        (
            'date_order = "day_first"',
            'date_order = "dd/mm"',
            "locale.date_order: Input should be 'day_first' or 'month_first'",
        ),
        (
            'languages = ["English", "Mandarin", "Malay", "Tamil"]',
            "languages = []",
            "locale.languages: Tuple should have at least 1 item",
        ),
        ("[locale]", "[locale_]", "locale: Field required"),
    ],
)
def test_a_bad_locale_is_named(tmp_path: Path, line: str, replacement: str, expected: str) -> None:
    sample = SAMPLE_RESTAURANT
    assert line in sample
    path = tmp_path / "restaurant.toml"
    path.write_text(sample.replace(line, replacement))
    with pytest.raises(StartupError) as raised:
        load_restaurant(path)
    assert expected in str(raised.value)
