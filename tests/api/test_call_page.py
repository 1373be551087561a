"""The call page and the public restaurant facts it shows."""

from __future__ import annotations

import httpx


async def test_the_call_page_is_served_at_the_root(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "Call the restaurant" in page.text
    script = await client.get("/assets/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


async def test_unknown_paths_are_not_swallowed_by_the_page(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/nothing-here")).status_code == 404
    assert (await client.get("/assets/nothing.js")).status_code == 404


async def test_restaurant_facts_are_public(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/restaurant")
    assert response.status_code == 200
    assert response.json() == {
        "name": "Tanjong Table",
        "address": "28 Duxton Road, Singapore 089487",
        "phone": "+65 6221 4780",
        "timezone": "Asia/Singapore",
    }
