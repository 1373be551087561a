"""Telephony settings, caller ID, staff lines and the keypad's digit count: pure rules."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.phone.keypad import typed_digits
from agent.phone.line import caller_id
from core.errors import StartupError
from core.logs import DropPersonalFields
from core.restaurant import Restaurant, load_restaurant
from core.settings import Settings
from ops.sip import check_telephony, redis_config, sip_command
from tests.support.restaurants import SAMPLE_RESTAURANT


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+6598207272", "+6598207272"),
        ("98207272", "+6598207272"),  # a local trunk may send the national form
        ("anonymous", None),
        ("Anonymous", None),
        ("", None),
        ("alice", None),  # a SIP name, not a number to call back
        ("12", None),
    ],
)
def test_caller_id_is_e164_or_none(raw: str, expected: str | None) -> None:
    assert caller_id(raw, "SG") == expected


def test_telephony_off_checks_nothing(restaurant: Restaurant) -> None:
    assert check_telephony(Settings(sip_enabled=False, redis_url="nonsense"), restaurant) is None


def test_the_restaurant_phone_is_the_default_inbound_number(restaurant: Restaurant) -> None:
    lines = check_telephony(Settings(sip_enabled=True), restaurant)
    assert lines is not None
    assert lines.numbers == ("+6562214780",) and lines.allowed_addresses == ("127.0.0.1",)
    assert lines.redis == {"address": "127.0.0.1:6379"}
    assert (lines.sip_host, lines.sip_port) == ("127.0.0.1", 5060)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"sip_inbound_numbers": "6221 4780, call us"}, "SIP_INBOUND_NUMBERS: 'call us' is not"),
        ({"sip_allowed_addresses": "10.0.0.0/33"}, "SIP_ALLOWED_ADDRESSES: '10.0.0.0/33' is not"),
        ({"sip_auth_username": "carrier"}, "Set both SIP_AUTH_USERNAME and SIP_AUTH_PASSWORD"),
        ({"sip_allowed_addresses": ""}, "without either, anyone could call"),
        ({"redis_url": "http://127.0.0.1:6379"}, "REDIS_URL: 'http://127.0.0.1:6379' is not"),
        ({"worker_port": 8081}, None),
    ],
)
def test_a_bad_telephony_setting_is_one_sentence(
    restaurant: Restaurant, tmp_path: Path, settings: dict[str, Any], expected: str | None
) -> None:
    config = tmp_path / "sip.yaml"
    config.write_text("health_port: 8081\n" if expected is None else "sip_port: 5060\n")
    with pytest.raises(StartupError) as raised:
        check_telephony(Settings(sip_enabled=True, sip_config=config, **settings), restaurant)
    message = str(raised.value)
    assert (expected or "health_port 8081 is the voice worker's port") in message


def test_a_broken_sip_config_says_where(restaurant: Restaurant, tmp_path: Path) -> None:
    config = tmp_path / "sip.yaml"
    config.write_text("sip_port: [")
    with pytest.raises(StartupError, match=f"^{config} is not valid YAML at line 1"):
        check_telephony(Settings(sip_enabled=True, sip_config=config), restaurant)
    with pytest.raises(StartupError, match="Cannot read the livekit-sip config"):
        check_telephony(Settings(sip_enabled=True, sip_config=tmp_path / "no"), restaurant)


def test_redis_url_becomes_the_section_both_servers_read() -> None:
    assert redis_config("redis://:pw@cache.internal:6380/2") == {
        "address": "cache.internal:6380",
        "password": "pw",
        "db": 2,
    }


def test_livekit_sip_gets_the_server_keys_and_redis_beside_sip_yaml(tmp_path: Path) -> None:
    config = tmp_path / "livekit-sip.yaml"
    livekit = ("ws://x", "k", "s")
    argv = sip_command("livekit-sip", config, {"sip_port": 5060}, {"address": "h:1"}, livekit)
    assert argv == ["livekit-sip", "--config", str(config)]
    for line in ("sip_port: 5060", "ws_url: ws://x", "api_key: k", "api_secret: s", "address: h:1"):
        assert line in config.read_text()


def staff_file(tmp_path: Path, staff: str) -> Path:
    path = tmp_path / "restaurant.toml"
    head, _, _ = SAMPLE_RESTAURANT.partition("[staff]")
    path.write_text(f"{head}[staff]\n{staff}\n")
    return path


def test_staff_lines_follow_the_opening_hours(tmp_path: Path) -> None:
    restaurant = load_restaurant(
        staff_file(
            tmp_path, 'during_service = "+65 6221 4781"\nafter_hours = "sip:mgr@pbx.example"'
        )
    )
    tuesday_lunch = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 13:00 in Singapore
    tuesday_morning = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00, before lunch
    monday = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # closed all day
    assert restaurant.staff_line(tuesday_lunch) == "tel:+6562214781"
    assert restaurant.staff_line(tuesday_morning) == "sip:mgr@pbx.example"
    assert restaurant.staff_line(monday) == "sip:mgr@pbx.example"


def test_without_an_after_hours_line_nobody_takes_calls_then(restaurant: Restaurant) -> None:
    assert restaurant.staff_line(datetime(2026, 11, 23, 11, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("staff", "expected"),
    [
        ('during_service = "6221 4781"', "give the number with its country code"),
        ('during_service = "+65 12"', "'+65 12' is not a valid phone number"),
        ("after_hours = 5", "staff.after_hours: Input should be a valid string"),
    ],
)
def test_a_bad_staff_line_is_named(tmp_path: Path, staff: str, expected: str) -> None:
    with pytest.raises(StartupError) as raised:
        load_restaurant(staff_file(tmp_path, staff))
    assert expected in str(raised.value)


@pytest.mark.parametrize(("region", "digits"), [("SG", 8), ("GB", 11), ("US", 10)])
def test_the_keypad_expects_the_digits_a_caller_types(region: str, digits: int) -> None:
    assert typed_digits(region) == digits


def test_livekit_personal_fields_are_dropped_from_log_records() -> None:
    record = logging.makeLogRecord(
        {"msg": "linked", "lk.pii.participant_identity": "sip_+6598207272", "room": "call_x"}
    )
    assert DropPersonalFields().filter(record)
    assert "lk.pii.participant_identity" not in record.__dict__ and record.__dict__["room"]
