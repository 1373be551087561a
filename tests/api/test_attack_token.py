"""Attacks on the public token endpoint: a chosen room, other web sites, many addresses, a flood.

The app runs in-process (tests/api/conftest.py: `start_api`) with its LiveKit server unreachable,
so the concurrent-call cap counts what the API itself knows: the tokens it has issued whose
rooms no listing shows yet. The cap's count of live rooms is tests/e2e/test_attack_limits.py's.
"""

from __future__ import annotations

import re

import pytest

from core.errors import StartupError
from core.restaurant import Restaurant
from tests.support.token import StartApi, claims_of

ROOM = re.compile(r"call-[A-Za-z0-9_-]{22}")


@pytest.mark.parametrize("case", ["snake", "camel"])
async def test_a_room_name_or_identity_a_client_chooses_is_never_used(
    start_api: StartApi, case: str
) -> None:
    async with start_api() as running, running.client() as client:
        victim = (await client.post("/api/token", json={})).json()
        # An attacker who learned the victim's room asks to join it, as the agent.
        wanted = {"room_name": victim["room_name"], "participant_identity": "agent-AJ_x"}
        if case == "camel":
            wanted = {"roomName": wanted["room_name"], "participantIdentity": "agent-AJ_x"}
        answer = await client.post("/api/token", json=wanted)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    claims = claims_of(body["participant_token"])
    assert claims.video is not None
    # The token grants a fresh room of the server's choosing, and only that one.
    assert claims.video.room == body["room_name"] == body["roomName"]
    assert claims.video.room != victim["room_name"] and ROOM.fullmatch(claims.video.room)
    assert not claims.video.room_admin and not claims.video.room_list
    assert claims.identity == body["participant_identity"] != "agent-AJ_x"
    assert claims.identity.startswith("caller-")


async def test_room_names_and_identities_carry_nothing_the_caller_said(
    start_api: StartApi,
) -> None:
    personal = {
        "room_name": "Mei-Ling-98207272",
        "participant_identity": "mei.ling@example.com",
        "participant_name": "Mei Ling",
    }
    async with start_api() as running, running.client() as client:
        body = (await client.post("/api/token", json=personal)).json()
    for said in ("Mei", "Ling", "98207272", "example"):
        assert said not in body["room_name"] and said not in body["participant_identity"]
    assert ROOM.fullmatch(body["room_name"])


PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-app"}


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        # Look-alikes of loopback and of a listed origin.
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example",
        "https://app.example.com.evil.example",
        "http://app.example.com",
        "null",
    ],
)
async def test_an_unlisted_origin_gets_no_cors_approval(start_api: StartApi, origin: str) -> None:
    env = {"TOKEN_CORS_ORIGINS": "https://app.example.com"}
    async with start_api(**env) as running, running.client() as client:
        preflight = await client.options("/api/token", headers={"Origin": origin} | PREFLIGHT)
        post = await client.post("/api/token", json={}, headers={"Origin": origin})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    # A browser would withhold this answer from the page: no header names its origin.
    assert post.status_code == 201
    assert "access-control-allow-origin" not in post.headers


@pytest.mark.parametrize(
    ("origin", "env"),
    [
        # Loopback origins by default: a starter app or the Playground run on this machine.
        ("http://localhost:3000", {}),
        ("http://127.0.0.1:5173", {}),
        ("http://[::1]:8080", {}),
        ("https://localhost", {}),
        # Anything else only when listed, written as the operator likes.
        ("https://app.example.com", {"TOKEN_CORS_ORIGINS": " https://App.example.com/ "}),
        (
            "https://b.example:8443",
            {"TOKEN_CORS_ORIGINS": "https://a.example,https://b.example:8443"},
        ),
    ],
)
async def test_loopback_and_listed_origins_may_call(
    start_api: StartApi, origin: str, env: dict[str, str]
) -> None:
    async with start_api(**env) as running, running.client() as client:
        preflight = await client.options("/api/token", headers={"Origin": origin} | PREFLIGHT)
        post = await client.post("/api/token", json={}, headers={"Origin": origin})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert post.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("*", "'*' is not allowed"),
        ("https://a.example,*", "'*' is not allowed"),
        ("app.example.com", "'app.example.com' is not an origin"),
        ("https://app.example.com/call", "'https://app.example.com/call' is not an origin"),
    ],
)
async def test_a_wildcard_or_a_url_for_an_origin_stops_the_start(
    start_api: StartApi, value: str, problem: str
) -> None:
    with pytest.raises(StartupError, match=f"TOKEN_CORS_ORIGINS: {re.escape(problem)}"):
        async with start_api(TOKEN_CORS_ORIGINS=value):
            pass


async def test_ipv6_addresses_in_one_64_share_one_allowance(start_api: StartApi) -> None:
    async with start_api(TOKEN_RATE_LIMIT="2/minute") as running:
        same_64 = ["2001:db8:5:6::1", "2001:db8:5:6:ffff:ffff:ffff:fffe", "2001:db8:5:6:a::b"]
        answers = []
        for address in same_64:
            async with running.client(address) as client:
                answers.append(await client.post("/api/token", json={}))
        async with running.client("2001:db8:5:7::1") as next_network:
            other = await next_network.post("/api/token", json={})
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert other.status_code == 201


async def test_an_ipv4_client_seen_over_ipv6_is_still_one_client(start_api: StartApi) -> None:
    async with start_api(TOKEN_RATE_LIMIT="1/minute") as running:
        async with running.client("203.0.113.50") as plain:
            first = await plain.post("/api/token", json={})
        async with running.client("::ffff:203.0.113.50") as mapped:
            second = await mapped.post("/api/token", json={})
        async with running.client("::ffff:203.0.113.51") as neighbour:
            third = await neighbour.post("/api/token", json={})
    assert (first.status_code, second.status_code, third.status_code) == (201, 429, 201)


async def test_over_the_concurrent_call_cap_the_line_is_busy(
    start_api: StartApi, restaurant: Restaurant
) -> None:
    async with start_api(MAX_CONCURRENT_CALLS="2") as running:
        # Two callers, from anywhere: the cap is the deployment's, not an address's.
        async with running.client("198.51.100.1") as one, running.client("198.51.100.2") as two:
            taken = [await one.post("/api/token", json={}), await two.post("/api/token", json={})]
        async with running.client("2001:db8:9::1") as third_caller:
            busy = await third_caller.post(
                "/api/token", json={}, headers={"Origin": "http://localhost:3000"}
            )
            still_busy = await third_caller.post("/api/token", json={})
    assert [t.status_code for t in taken] == [201, 201]
    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"] == "30"
    assert busy.json() == {
        "detail": "The line is busy: please try again in 30 seconds, or phone us on "
        f"{restaurant.identity.phone}."
    }
    # A page on another origin may read how long to wait.
    assert "Retry-After" in busy.headers["access-control-expose-headers"]
    # A refused request holds no place: the count is still the two calls.
    assert still_busy.status_code == 503
