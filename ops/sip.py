"""Phone calls: the settings checked once, livekit-sip's and Redis's command lines (their secrets
in private files beside them), and the inbound trunk and dispatch rule that put each caller in a
fresh room with our agent."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

import yaml
from livekit import api

from agent.phone.attestation import ATTESTATION_ATTRIBUTE
from core.errors import InvalidValue, StartupError
from core.restaurant import Restaurant
from core.settings import Settings
from core.spoken.phones import normalize_phone
from ops.private_files import write_private

# What provisioning looks for, so a second start-up updates what the first one made.
TRUNK_NAME = "receptionist"
RULE_NAME = "receptionist"
# Rooms are "call_<restaurant number>_<random>": the callee rule, randomised, names rooms after
# the number dialled. The individual rule would name them after the caller's number, and a
# room's name is in every log line and in the handoffs table.
ROOM_PREFIX = "call"
# livekit-sip logs this once it takes SIP traffic; Redis once it takes connections.
SIP_LISTENING = b"sip signaling listening on"
REDIS_READY = b"Ready to accept connections"
# Where livekit-server and livekit-sip meet when REDIS_URL is unset: a Redis `up` starts.
LOCAL_REDIS_URL = "redis://127.0.0.1:6379"
# What provisioning creates or updates: a trunk or a dispatch rule, found by its name.
Info = TypeVar("Info", api.SIPInboundTrunkInfo, api.SIPDispatchRuleInfo)


@dataclass(frozen=True, slots=True)
class PhoneLines:
    """Telephony settings once checked: what provisioning and livekit-sip are given."""

    numbers: tuple[str, ...]
    allowed_addresses: tuple[str, ...]
    auth_username: str
    auth_password: str
    # The carrier's caller ID verification header, copied into the caller's attributes; empty:
    # none (TRUST_CALLER_ID=attested needs it).
    attestation_header: str
    # sip.yaml as a mapping, without the keys, the LiveKit URL or Redis (added at start).
    sip_config: dict[str, Any]
    redis: dict[str, Any]

    @property
    def sip_port(self) -> int:
        return int(self.sip_config.get("sip_port", 5060))

    @property
    def sip_host(self) -> str:
        return str(self.sip_config.get("nat_1_to_1_ip") or self.sip_config.get("listen_ip", ""))


def check_telephony(settings: Settings, restaurant: Restaurant) -> PhoneLines | None:
    """The SIP settings, checked at start-up; None when telephony is off."""
    if not settings.sip_enabled:
        return None
    region = restaurant.locale.phone_region
    raw_numbers = _split(settings.sip_inbound_numbers) or [restaurant.identity.phone]
    numbers = []
    for raw in raw_numbers:
        try:
            numbers.append(normalize_phone(raw, region))
        except InvalidValue:
            raise StartupError(
                f"SIP_INBOUND_NUMBERS: {raw!r} is not a phone number (e.g. +65 6221 4780)."
            ) from None
    addresses = _split(settings.sip_allowed_addresses)
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise StartupError(
                f"SIP_ALLOWED_ADDRESSES: {address!r} is not an IP address or CIDR range."
            ) from None
    password = settings.sip_auth_password.get_secret_value() if settings.sip_auth_password else ""
    if bool(settings.sip_auth_username) != bool(password):
        raise StartupError("Set both SIP_AUTH_USERNAME and SIP_AUTH_PASSWORD, or neither.")
    if not addresses and not password:
        raise StartupError(
            "Set SIP_ALLOWED_ADDRESSES or SIP_AUTH_USERNAME/SIP_AUTH_PASSWORD: without either, "
            "anyone could call through the trunk."
        )
    config = read_sip_config(settings.sip_config)
    health = config.get("health_port")
    if health and health == settings.worker_port:
        raise StartupError(
            f"{settings.sip_config}: health_port {settings.worker_port} is the voice worker's "
            "port (WORKER_PORT); give livekit-sip another one."
        )
    return PhoneLines(
        numbers=tuple(numbers),
        allowed_addresses=tuple(addresses),
        auth_username=settings.sip_auth_username,
        auth_password=password,
        attestation_header=settings.sip_attestation_header,
        sip_config=config,
        redis=redis_config(settings.redis_url or LOCAL_REDIS_URL),
    )


def read_sip_config(path: Path) -> dict[str, Any]:
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise StartupError(f"Cannot read the livekit-sip config {path}: {exc.strerror}.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise StartupError(f"{path} is not valid YAML{where}.") from None
    if not isinstance(config, dict):
        raise StartupError(f"{path} should hold livekit-sip's settings as a YAML mapping.")
    return config


def redis_config(url: str) -> dict[str, Any]:
    """REDIS_URL as the `redis:` section livekit-server and livekit-sip both read."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        raise StartupError(f"REDIS_URL: {url!r} is not a redis:// URL (redis://host:6379/0).")
    config: dict[str, Any] = {"address": f"{parsed.hostname}:{parsed.port or 6379}"}
    if parsed.username:
        config["username"] = unquote(parsed.username)
    if parsed.password:
        config["password"] = unquote(parsed.password)
    if parsed.path.strip("/").isdigit():
        config["db"] = int(parsed.path.strip("/"))
    if parsed.scheme == "rediss":
        config["use_tls"] = True
    return config


def sip_command(
    binary: str,
    config_file: Path,
    sip_config: dict[str, Any],
    redis: dict[str, Any],
    livekit: tuple[str, str, str],
) -> list[str]:
    """livekit-sip with sip.yaml plus what it shares with livekit-server: its URL, key and
    secret (`livekit`), and Redis; written to `config_file`, as they hold secrets."""
    url, key, secret = livekit
    config = {**sip_config, "ws_url": url, "api_key": key, "api_secret": secret, "redis": redis}
    write_private(config_file, yaml.safe_dump(config))
    return [binary, "--config", str(config_file)]


def redis_command(binary: str, redis: dict[str, Any], config_file: Path) -> list[str]:
    """A throwaway Redis on REDIS_URL's loopback address (LiveKit keeps only live state there),
    asking for REDIS_URL's password if it has one; its settings written to `config_file`."""
    host, _, port = str(redis["address"]).rpartition(":")
    if redis.get("username", "default") != "default":
        raise StartupError(
            "REDIS_URL: the Redis `receptionist up` starts has only the default user; drop the "
            "user name (redis://:password@host:port) or point REDIS_URL at a Redis you run."
        )
    lines = [f"bind {host}", f"port {port}", 'save ""', "appendonly no"]
    if password := redis.get("password"):
        lines.append(f"requirepass {_redis_quoted(str(password))}")
    write_private(config_file, "\n".join(lines) + "\n")
    return [binary, str(config_file)]


def _redis_quoted(value: str) -> str:
    """`value` as one word of a redis.conf line: quoted, anything but plain ASCII as \\xHH."""
    raw = value.encode()
    plain = (chr(b) if 0x20 < b < 0x7F and b not in b'"\\' else f"\\x{b:02x}" for b in raw)
    return f'"{"".join(plain)}"'


async def provision(lkapi: api.LiveKitAPI, lines: PhoneLines, agent_name: str) -> tuple[str, str]:
    """The inbound trunk and the dispatch rule, created or brought up to date; their ids."""
    trunk = inbound_trunk(lines)
    sip = lkapi.sip
    trunk_id = await _update_or_create(
        trunk,
        (await sip.list_inbound_trunk(api.ListSIPInboundTrunkRequest())).items,
        lambda found: found.sip_trunk_id,
        sip.update_inbound_trunk,
        lambda wanted: sip.create_inbound_trunk(api.CreateSIPInboundTrunkRequest(trunk=wanted)),
    )
    rule = api.SIPDispatchRuleInfo(
        name=RULE_NAME,
        trunk_ids=[trunk_id],
        rule=api.SIPDispatchRule(
            dispatch_rule_callee=api.SIPDispatchRuleCallee(room_prefix=ROOM_PREFIX, randomize=True)
        ),
    )
    if agent_name:
        # Without a name the worker joins every new room by itself, phone rooms too.
        rule.room_config.agents.append(api.RoomAgentDispatch(agent_name=agent_name))
    rule_id = await _update_or_create(
        rule,
        (await sip.list_dispatch_rule(api.ListSIPDispatchRuleRequest())).items,
        lambda found: found.sip_dispatch_rule_id,
        sip.update_dispatch_rule,
        lambda wanted: sip.create_dispatch_rule(
            api.CreateSIPDispatchRuleRequest(dispatch_rule=wanted)
        ),
    )
    return trunk_id, rule_id


def inbound_trunk(lines: PhoneLines) -> api.SIPInboundTrunkInfo:
    """The trunk the carrier's calls come in on, as provisioning writes it (all of it: an
    update replaces what was there)."""
    return api.SIPInboundTrunkInfo(
        name=TRUNK_NAME,
        numbers=list(lines.numbers),
        allowed_addresses=list(lines.allowed_addresses),
        auth_username=lines.auth_username,
        auth_password=lines.auth_password,
        # livekit-sip copies these headers of the INVITE into the caller's attributes.
        headers_to_attributes=(
            {lines.attestation_header: ATTESTATION_ATTRIBUTE} if lines.attestation_header else {}
        ),
    )


async def _update_or_create(
    wanted: Info,
    existing: Iterable[Info],
    id_of: Callable[[Info], str],
    update: Callable[[str, Info], Awaitable[Info]],
    create: Callable[[Info], Awaitable[Info]],
) -> str:
    """Bring what an earlier start-up made under `wanted`'s name up to `wanted`, or create it;
    its id either way."""
    for found in existing:
        if found.name == wanted.name:
            await update(id_of(found), wanted)
            return id_of(found)
    return id_of(await create(wanted))


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]
