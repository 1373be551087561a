"""The Dockerfile and compose.yaml keep their promises (docs/deploy.md): roles the image's entry
point knows, restart policies in place of a supervisor, the migration once before the API and
the worker, telephony only under the `phone` profile, and no secret on a command line. The
compose file's schema is checked by docker-compose, and the image built and run, in
tests/e2e/test_container.py."""

from __future__ import annotations

import re
from typing import Any

import yaml

from core.settings import PROJECT_ROOT

ENTRYPOINT = PROJECT_ROOT / "ops" / "container" / "entrypoint"
# What a secret's variable is called here (the settings' and compose.yaml's own).
SECRET = re.compile(r"\$\{?[A-Z_]*(SECRET|PASSWORD|API_KEY|TOKEN)")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    return loaded


def roles() -> set[str]:
    """The roles the image's entry point dispatches on."""
    return set(re.findall(r"(?m)^    ([a-z]+)\)", ENTRYPOINT.read_text()))


def test_the_image_runs_each_role_from_its_entry_point() -> None:
    assert roles() == {"worker", "api", "migrate", "health"}
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["receptionist-container"]' in dockerfile
    # Not root at run time, and the model files fetched while building, not at start.
    [user] = re.findall(r"(?m)^USER (\S+)$", dockerfile)
    assert user != "root"
    assert dockerfile.index("download-files") > dockerfile.index(f"USER {user}")
    # The locked dependencies, without the development and local groups.
    assert "uv sync --locked --no-default-groups" in dockerfile


def test_each_service_restarts_by_policy_and_the_migration_runs_once_first() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "livekit", "migrate", "api", "worker", "sip"}
    assert services.pop("migrate")["restart"] == "no"
    assert {name: s["restart"] for name, s in services.items()} == dict.fromkeys(
        services, "unless-stopped"
    )
    for name in ("api", "worker"):
        service = compose()["services"][name]
        assert service["command"] == [name] and name in roles()
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["healthcheck"]["test"] == ["CMD", "receptionist-container", "health", name]
    assert compose()["services"]["migrate"]["command"] == ["migrate"]


def test_telephony_runs_only_under_the_phone_profile() -> None:
    services = compose()["services"]
    assert {name for name, s in services.items() if "profiles" in s} == {"sip"}
    assert services["sip"]["profiles"] == ["phone"]


def test_no_secret_is_on_a_command_line() -> None:
    for name, service in compose()["services"].items():
        for argument in service.get("command", []):
            assert not SECRET.search(argument), (name, argument)
    # The secrets reach each program through its environment.
    services = compose()["services"]
    assert "LIVEKIT_API_SECRET" in services["livekit"]["environment"]["LIVEKIT_KEYS"]
    assert "LIVEKIT_API_SECRET" in services["sip"]["environment"]["SIP_CONFIG_BODY"]
    assert "POSTGRES_PASSWORD" in services["api"]["environment"]["DATABASE_URL"]


def test_the_build_context_holds_no_local_state_or_secret() -> None:
    """The image is built from a list of what it needs: `.env` (secrets), `.data/` (the
    embedded database, the generated staff key), environments and builds never reach it."""
    lines = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*"
    allowed = {rule.removeprefix("!").rstrip("/") for rule in rules if rule.startswith("!")}
    assert not allowed & {".env", ".data", ".venv", ".tools", "web/node_modules", "web/dist"}
    assert {"agent", "api", "core", "ops", "sql", "uv.lock"} <= allowed
