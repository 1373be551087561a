"""Callers who mean harm, over HTTP, against the real app in-process: bodies too big to read,
keyless callers on staff routes, framing and sniffing, the schema, and source maps.

The same bodies against the real server, and its memory, are tests/e2e/test_attack_http.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from api.routes.web import WEB_DIST
from tests.support.api import AUTH, served

LIMIT = 32_768  # MAX_BODY_BYTES's default
JSON = {"Content-Type": "application/json"}
STAFF_BODY_ROUTE = "/api/reservations"


class Body:
    """A chunked body (no Content-Length) that counts how much of it was asked for."""

    def __init__(self, chunks: int, size: int = 8_192) -> None:
        self.chunks, self.size, self.sent = chunks, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.sent += self.size
            yield b" " * self.size


def refused_as_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.json() == {
        "detail": f"The request body is larger than {LIMIT} bytes, the most this API accepts."
    }


async def test_a_declared_oversized_body_is_refused_before_anything_runs(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(STAFF_BODY_ROUTE, content=b"x" * (LIMIT + 1), headers=JSON)
    # Not 401: the size is refused before the route, and so its key check, is reached.
    refused_as_too_large(response)


async def test_a_chunked_body_is_counted_and_refused_as_it_arrives(
    client: httpx.AsyncClient,
) -> None:
    body = Body(chunks=6_400)  # 50 MiB, if it were all read
    response = await client.post("/api/token", content=body, headers=JSON)
    refused_as_too_large(response)
    # Read only until it passed the limit.
    assert body.sent <= LIMIT + body.size


async def test_a_staff_body_over_the_limit_is_refused_even_with_the_key(
    client: httpx.AsyncClient,
) -> None:
    at_limit = await client.post(STAFF_BODY_ROUTE, content=b" " * LIMIT, headers=AUTH | JSON)
    # Read, and found to be no JSON at all.
    assert at_limit.status_code == 422, at_limit.text
    over = await client.post(STAFF_BODY_ROUTE, content=Body(chunks=5), headers=AUTH | JSON)
    refused_as_too_large(over)


async def test_the_largest_real_body_fits(client: httpx.AsyncClient) -> None:
    # A callback's note at its longest, every character one JSON escapes to 12 bytes.
    note = json.dumps({"status": "resolved", "note": "\U0001f600" * 1000})
    assert 12_000 < len(note) < LIMIT
    response = await client.patch("/api/escalations/1", content=note, headers=AUTH | JSON)
    # Read and valid: only the callback is missing.
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/reservations"), ("PATCH", "/api/reservations/code/ABC123")],
)
async def test_a_keyless_caller_is_refused_before_the_body_is_read(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    body = Body(chunks=3)
    response = await client.request(method, path, content=body, headers=JSON)
    assert response.status_code == 401, response.text
    assert body.sent == 0
    # Nor does a body the key would have let through tell a keyless caller what it must hold.
    malformed = await client.request(method, path, content=b"{not json", headers=JSON)
    assert malformed.status_code == 401, malformed.text


PAGE_HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "permissions-policy": "camera=(), geolocation=(), microphone=(self)",
}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/staff", 200),
        ("/assets/app.js", 200),
        ("/api/restaurant", 200),
        ("/api/reservations?date=2030-01-01", 401),
        ("/api/nothing-here", 404),
    ],
)
async def test_every_answer_carries_the_security_headers(
    client: httpx.AsyncClient, path: str, status: int
) -> None:
    response = await client.get(path)
    assert response.status_code == status, response.text
    assert {name: response.headers.get(name) for name in PAGE_HEADERS} == PAGE_HEADERS
    policy = response.headers["content-security-policy"]
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]:
        assert directive in policy.split("; "), policy
    assert "unsafe" not in policy
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src"))
    # The API and the LiveKit server the call page talks to.
    assert connect.startswith("connect-src 'self' ws") and "http" in connect, policy


async def test_a_refused_body_carries_them_too(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/token", content=b"x" * (LIMIT + 1), headers=JSON)
    assert response.status_code == 413
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_by_default_the_schema_needs_the_staff_key(client: httpx.AsyncClient) -> None:
    keyless = await client.get("/openapi.json")
    assert keyless.status_code == 401, keyless.text
    assert keyless.json()["detail"].startswith("Send the API key")
    schema = await client.get("/openapi.json", headers=AUTH)
    assert schema.status_code == 200 and "/api/reservations" in schema.json()["paths"]
    # A browser cannot send the key when it opens a page, so there is no interactive one.
    for page in ["/docs", "/redoc"]:
        refused = await client.get(page, headers=AUTH)
        assert refused.status_code == 404, refused.text
    hint = (await client.get("/docs")).json()["detail"]
    assert hint == "No interactive docs here: fetch /openapi.json with the staff key."


async def test_docs_off_serves_no_schema_even_to_staff(
    api_env: None, store: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_DOCS", "off")
    async with served() as client:
        for path in ["/openapi.json", "/docs"]:
            assert (await client.get(path, headers=AUTH)).status_code == 404


async def test_public_docs_keep_a_policy_of_their_own(
    api_env: None, store: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_DOCS", "public")
    async with served() as client:
        assert (await client.get("/openapi.json")).status_code == 200
        page = await client.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    policy = page.headers["content-security-policy"]
    # Swagger UI from its CDN and, by its hash, the one inline script that starts it; the
    # pages' policy would refuse both.
    assert "script-src https://cdn.jsdelivr.net 'sha256-" in policy
    assert "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"


async def test_no_source_map_is_built_or_served(client: httpx.AsyncClient) -> None:
    built = sorted(p.name for p in (WEB_DIST / "assets").iterdir())
    assert built and not [name for name in built if name.endswith(".map")], built
    for script in ["app.js", "staff.js"]:
        served_script = await client.get(f"/assets/{script}")
        assert served_script.status_code == 200
        assert "sourceMappingURL" not in served_script.text
        assert (await client.get(f"/assets/{script}.map")).status_code == 404
