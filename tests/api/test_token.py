"""POST /api/token: LiveKit's token-endpoint format, least-privilege grants, limits, errors.

No LiveKit server is needed: a token is a JWT, checked here with livekit-api's own verifier.
"""

from __future__ import annotations

import re
from typing import Any

import jwt
import pytest
from livekit import api

from tests.support.api import AUTH
from tests.support.token import LIVEKIT_KEY, LIVEKIT_URL, StartApi, claims_of, issue


def agents_of(claims: api.access_token.Claims) -> list[str]:
    config = claims.room_config
    return [a.agent_name for a in config.agents] if config is not None else []


async def test_answers_in_livekit_format_with_a_least_privilege_token(
    start_api: StartApi,
) -> None:
    response = await issue(start_api, {})
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "server_url",
        "participant_token",
        "room_name",
        "participant_identity",
        "serverUrl",
        "participantToken",
        "roomName",
        "participantIdentity",
    }
    assert body["server_url"] == body["serverUrl"] == LIVEKIT_URL
    assert body["participant_token"] == body["participantToken"]
    assert body["room_name"] == body["roomName"]
    assert body["participant_identity"] == body["participantIdentity"]

    claims = claims_of(body["participant_token"])
    assert claims.identity == body["participant_identity"]
    assert claims.name == ""
    video = claims.video
    assert video is not None
    assert video.room_join is True
    assert video.room == body["room_name"]
    assert video.can_publish is True
    assert video.can_publish_sources == ["microphone"]
    assert video.can_publish_data is True
    assert video.can_subscribe is True
    for power in ("room_admin", "room_create", "room_list", "room_record", "ingress_admin"):
        assert not getattr(video, power), power
    assert not video.can_update_own_metadata and not video.hidden and not video.agent
    # No AGENT_NAME: the worker joins every new room by itself, so no explicit dispatch.
    assert claims.room_config is None

    raw = jwt.decode(body["participant_token"], options={"verify_signature": False})
    assert raw["exp"] - raw["nbf"] == 15 * 60
    assert raw["iss"] == LIVEKIT_KEY


async def test_works_without_any_body(start_api: StartApi) -> None:
    # `curl -X POST .../api/token`: the convention makes every field, so the body, optional.
    async with start_api() as running, running.client() as client:
        response = await client.post("/api/token")
    assert response.status_code == 201, response.text
    assert claims_of(response.json()["participant_token"]).identity.startswith("caller-")


async def test_each_caller_gets_a_fresh_room_and_identity(start_api: StartApi) -> None:
    async with start_api() as running, running.client() as client:
        answers = [(await client.post("/api/token", json={})).json() for _ in range(5)]
    rooms = {a["room_name"] for a in answers}
    identities = {a["participant_identity"] for a in answers}
    assert len(rooms) == len(identities) == 5
    # Unguessable: a room name is all it takes to ask for a token to that room.
    assert all(re.fullmatch(r"call-[A-Za-z0-9_-]{22}", room) for room in rooms)
    assert all(re.fullmatch(r"caller-[A-Za-z0-9_-]{11}", who) for who in identities)


@pytest.mark.parametrize(
    "body", [{"participant_name": "Ana"}, {"participantName": "Ana"}], ids=["snake", "camel"]
)
async def test_honours_the_display_name(start_api: StartApi, body: dict[str, str]) -> None:
    response = await issue(start_api, body)
    assert response.status_code == 201, response.text
    assert claims_of(response.json()["participant_token"]).name == "Ana"


async def test_clients_are_sent_to_the_public_url_when_set(start_api: StartApi) -> None:
    response = await issue(start_api, {}, LIVEKIT_PUBLIC_URL="wss://talk.example.com")
    assert response.json()["server_url"] == "wss://talk.example.com"
    assert response.json()["serverUrl"] == "wss://talk.example.com"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"room_config": {"agents": [{"agent_name": "receptionist"}]}},
        # What LiveKit's SDKs send when the app names another agent, in either spelling.
        {"room_config": {"agents": [{"agent_name": "other-agent", "metadata": "{}"}]}},
        {"roomConfig": {"agents": [{"agentName": "other-agent"}], "maxParticipants": 50}},
    ],
)
async def test_the_room_gets_our_agent_and_only_ours(
    start_api: StartApi, body: dict[str, Any]
) -> None:
    response = await issue(start_api, body, AGENT_NAME="receptionist")
    assert response.status_code == 201, response.text
    claims = claims_of(response.json()["participant_token"])
    assert agents_of(claims) == ["receptionist"]
    assert claims.room_config is not None
    assert claims.room_config.agents[0].metadata == ""
    assert claims.room_config.max_participants == 0


async def test_without_an_agent_name_a_requested_agent_is_not_dispatched(
    start_api: StartApi,
) -> None:
    body = {"room_config": {"agents": [{"agent_name": "other-agent"}]}}
    response = await issue(start_api, body)
    assert response.status_code == 201, response.text
    assert claims_of(response.json()["participant_token"]).room_config is None


async def test_unknown_fields_are_ignored(start_api: StartApi) -> None:
    response = await issue(start_api, {"colour": "blue", "participant_kind": "agent"})
    assert response.status_code == 201, response.text
    claims = claims_of(response.json()["participant_token"])
    assert claims.kind == "" and claims.video is not None and not claims.video.agent


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"room_name": 5}, "room_name"),
        ({"room_name": "r" * 129}, "room_name"),
        ({"participant_identity": ["admin"]}, "participant_identity"),
        ({"participantIdentity": "i" * 129}, "participantIdentity"),
        ({"participant_name": "n" * 129}, "participant_name"),
        ({"participant_name": "line\nbreak"}, "participant_name"),
        ({"participant_metadata": '{"role": "staff"}'}, "participant_metadata"),
        ({"participant_attributes": {"role": "staff"}}, "participant_attributes"),
        ({"room_config": "agents"}, "room_config"),
        ({"room_config": {"agents": [{"agent_name": 7}]}}, "room_config.agents.0.agent_name"),
        ([], "body"),
    ],
)
async def test_a_bad_body_is_a_readable_422(start_api: StartApi, body: Any, field: str) -> None:
    response = await issue(start_api, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == [field]


async def test_malformed_json_and_oversized_bodies_are_refused(start_api: StartApi) -> None:
    async with start_api() as running, running.client() as client:
        broken = await client.post(
            "/api/token", content=b'{"room_name": ', headers={"Content-Type": "application/json"}
        )
        huge = await client.post("/api/token", json={"participant_name": "x" * 40_000})
    assert broken.status_code == 422, broken.text
    # Over MAX_BODY_BYTES, refused like any route's (tests/api/test_attack_http.py).
    assert huge.status_code == 413, huge.text
    assert "larger than 32768 bytes" in huge.json()["detail"]


async def test_requests_are_limited_per_client_address(start_api: StartApi) -> None:
    async with start_api(TOKEN_RATE_LIMIT="3/minute") as running:
        async with running.client() as caller, running.client("198.51.100.9") as neighbour:
            for _ in range(3):
                assert (await caller.post("/api/token", json={})).status_code == 201
            refused = await caller.post("/api/token", json={})
            # Malformed requests count too: the limit applies before the body is checked.
            still_refused = await caller.post("/api/token", json={"room_name": 5})
            other = await neighbour.post("/api/token", json={})
    assert refused.status_code == 429, refused.text
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert refused.json() == {
        "detail": f"Too many token requests from this address; try again in {wait} seconds."
    }
    assert still_refused.status_code == 429
    assert other.status_code == 201


async def test_each_start_begins_with_a_fresh_allowance(start_api: StartApi) -> None:
    for _ in range(2):
        async with start_api(TOKEN_RATE_LIMIT="1/hour") as running, running.client() as client:
            assert (await client.post("/api/token", json={})).status_code == 201
            assert (await client.post("/api/token", json={})).status_code == 429


@pytest.mark.parametrize(
    ("env", "detail"),
    [
        (
            {"LIVEKIT_API_KEY": "", "LIVEKIT_API_SECRET": ""},
            "The LiveKit server is not configured: set LIVEKIT_API_KEY and LIVEKIT_API_SECRET.",
        ),
        (
            {"LIVEKIT_API_SECRET": ""},
            "The LiveKit server is not configured: set LIVEKIT_API_SECRET.",
        ),
    ],
)
async def test_without_livekit_keys_the_answer_is_503(
    start_api: StartApi, env: dict[str, str], detail: str
) -> None:
    response = await issue(start_api, {}, **env)
    assert response.status_code == 503
    assert response.json() == {"detail": detail}


async def test_a_bad_rate_limit_setting_stops_the_start(start_api: StartApi) -> None:
    with pytest.raises(RuntimeError, match="TOKEN_RATE_LIMIT"):
        async with start_api(TOKEN_RATE_LIMIT="lots"):
            pass


async def test_browsers_on_other_origins_may_call_the_token_route_only(
    start_api: StartApi,
) -> None:
    origin = {"Origin": "http://localhost:3000"}
    async with start_api() as running, running.client() as client:
        preflight = await client.options(
            "/api/token",
            headers=origin
            | {
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        post = await client.post("/api/token", json={}, headers=origin)
        staff = await client.get("/api/analytics/handoffs", headers=origin | AUTH)
        staff_preflight = await client.options(
            "/api/analytics/handoffs",
            headers=origin | {"Access-Control-Request-Method": "GET"},
        )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    assert post.status_code == 201
    assert post.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert post.headers["access-control-expose-headers"] == "Retry-After"
    # The staff routes stay same-origin: no CORS headers, no preflight approval.
    assert staff.status_code == 200
    assert "access-control-allow-origin" not in staff.headers
    assert "access-control-allow-origin" not in staff_preflight.headers
