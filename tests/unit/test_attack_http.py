"""Callers who mean harm, over HTTP, where no server is needed: what the pages' policy lets them
reach, and a source map left behind by an old build."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from api.routes.web import PageAssets
from api.security_headers import content_security_policy, livekit_sources
from core.settings import Settings


@pytest.mark.parametrize(
    ("url", "sources"),
    [
        ("ws://127.0.0.1:7880", ["ws://127.0.0.1:7880", "http://127.0.0.1:7880"]),
        ("wss://lk.example.com/some/path", ["wss://lk.example.com", "https://lk.example.com"]),
        ("https://lk.example.com:443", ["wss://lk.example.com:443", "https://lk.example.com:443"]),
        ("ws://[::1]:7880", ["ws://[::1]:7880", "http://[::1]:7880"]),
        # Nothing a setting holds can add a directive or a wildcard to the policy.
        ("wss://lk.example.com;script-src *", []),
        ("wss://*", []),
        ("ftp://lk.example.com", []),
    ],
)
def test_the_call_page_may_connect_only_to_the_livekit_server(url: str, sources: list[str]) -> None:
    assert livekit_sources(url) == sources


def test_the_public_livekit_url_is_the_one_browsers_reach() -> None:
    settings = Settings(livekit_url="ws://10.0.0.5:7880", livekit_public_url="wss://lk.example.com")
    policy = content_security_policy(settings)
    assert "connect-src 'self' wss://lk.example.com https://lk.example.com" in policy
    assert "10.0.0.5" not in policy


def test_a_source_map_in_the_build_folder_is_never_served(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("export {};\n")
    (tmp_path / "app.js.map").write_text('{"sources": ["secret.ts"]}')
    (tmp_path / "old.JS.MAP").write_text('{"sources": ["secret.ts"]}')
    app = Starlette(routes=[Mount("/assets", PageAssets(directory=tmp_path))])
    with TestClient(app) as client:
        assert client.get("/assets/app.js").status_code == 200
        for path in ["/assets/app.js.map", "/assets/old.JS.MAP"]:
            assert client.get(path).status_code == 404, path
