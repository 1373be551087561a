"""The staff API over HTTP: auth, lookups, pagination, analytics, health, readable errors."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

import httpx
import pytest

from core.models import Reservation
from core.services.calls import CallService
from core.services.reservations import ReservationService
from tests.support.api import AUTH
from tests.support.days import first_day_that_seats


def open_evening(service: ReservationService, *times: time) -> date:
    """A day from tomorrow that seats a party of three at each of `times` (by default 19:00)."""
    return first_day_that_seats(service, *(times or (time(19, 0),)))


async def book(
    service: ReservationService, phone: str, day: date, at: time = time(19, 0)
) -> Reservation:
    return await service.create(
        phone_number=phone,
        name="Siti Rahman",
        reservation_date=day,
        reservation_time=at,
        party_size=3,
        other_info={"seating": "window"},
        session_id="room-a",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/reservations/98207272",
        "/api/reservations?date=2026-12-01",
        "/api/reservations/code/ABC123",
        "/api/analytics/handoffs",
    ],
)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}],
)
async def test_every_api_route_needs_the_key(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    response = await client.get(path, headers=headers)
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]


async def test_lookup_by_phone_accepts_any_format(
    client: httpx.AsyncClient, live_service: ReservationService
) -> None:
    day = open_evening(live_service)
    made = await book(live_service, "+6598207272", day)
    for phone in ["98207272", "+65 9820 7272", "+6598207272", "9820-7272"]:
        response = await client.get(f"/api/reservations/{phone}", headers=AUTH)
        assert response.status_code == 200, phone
        body = response.json()
        assert [r["confirmation_code"] for r in body] == [made.confirmation_code]
    assert body[0] == {
        "confirmation_code": made.confirmation_code,
        "phone_number": "+6598207272",
        "name": "Siti Rahman",
        "reservation_date": day.isoformat(),
        "reservation_time": "19:00",
        "party_size": 3,
        "other_info": {"seating": "window"},
        "status": "confirmed",
        # The call that made it (GET /api/calls/session/{session_id}).
        "session_id": "room-a",
        "created_at": body[0]["created_at"],
        "updated_at": body[0]["updated_at"],
    }
    datetime.fromisoformat(body[0]["created_at"])


async def test_lookup_by_phone_404_and_422(
    client: httpx.AsyncClient, live_service: ReservationService
) -> None:
    missing = await client.get("/api/reservations/81234567", headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No upcoming reservations for that phone number."
    made = await book(live_service, "+6581234567", open_evening(live_service))
    await live_service.cancel(made.confirmation_code)
    assert (await client.get("/api/reservations/81234567", headers=AUTH)).status_code == 404
    for junk in ["hello", "123", "+65 1234 5678"]:
        bad = await client.get(f"/api/reservations/{junk}", headers=AUTH)
        assert bad.status_code == 422, junk
        assert "phone" in bad.json()["detail"].lower()


async def test_lookup_by_code(client: httpx.AsyncClient, live_service: ReservationService) -> None:
    made = await book(live_service, "+6598207272", open_evening(live_service))
    found = await client.get(
        f"/api/reservations/code/{made.confirmation_code.lower()}", headers=AUTH
    )
    assert found.status_code == 200
    assert found.json()["phone_number"] == "+6598207272"
    assert (await client.get("/api/reservations/code/ZZZZZZ", headers=AUTH)).status_code == 404
    bad = await client.get("/api/reservations/code/TOO-LONG-1", headers=AUTH)
    assert bad.status_code == 422
    assert bad.json()["detail"] == "A confirmation code is six letters and digits."


async def test_day_list_pages(client: httpx.AsyncClient, live_service: ReservationService) -> None:
    evening = [time(21, 0), time(18, 0), time(19, 30)]
    day = open_evening(live_service, *evening)
    for i, at in enumerate(evening):
        await book(live_service, f"+659123450{i}", day, at)
    first = await client.get(f"/api/reservations?date={day}&page_size=2", headers=AUTH)
    second = await client.get(f"/api/reservations?date={day}&page_size=2&page=2", headers=AUTH)
    assert first.status_code == second.status_code == 200
    assert first.json()["total"] == 3
    times = [r["reservation_time"] for r in first.json()["items"] + second.json()["items"]]
    assert times == ["18:00", "19:30", "21:00"]
    empty = await client.get("/api/reservations?date=2030-01-01", headers=AUTH)
    assert empty.json() == {"items": [], "total": 0, "page": 1, "page_size": 50}


@pytest.mark.parametrize(
    "query",
    [
        "date=tomorrow",
        "date=2026-02-30",
        "date=0",  # found by the fuzz test: pydantic alone reads it as a Unix timestamp
        "date=1764547200",
        "",
        "date=2026-12-01&page=0",
        "date=2026-12-01&status=x",
    ],
)
async def test_day_list_rejects_bad_queries_readably(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/api/reservations?{query}", headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str) and "query parameter" in body["detail"]
    assert body["errors"]


async def test_handoff_summary_route(
    client: httpx.AsyncClient, live_service: ReservationService, calls: CallService
) -> None:
    await calls.record_handoff(
        session_id="room-a", from_agent="greeter", to_agent="reservation", entities={}
    )
    await book(live_service, "+6598207272", open_evening(live_service))
    response = await client.get("/api/analytics/handoffs", headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {
        "routes": [{"from_agent": "greeter", "to_agent": "reservation", "handoffs": 1}],
        "total_handoffs": 1,
        "reservation_sessions": 1,
        "booked_sessions": 1,
        "booking_conversion": 1.0,
    }


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_access_log_names_the_route_not_the_phone(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="api.access"):
        await client.get("/api/reservations/98207272", headers=AUTH)
    [record] = [r for r in caplog.records if r.name == "api.access"]
    assert record.__dict__["route"] == "/api/reservations/{phone}"
    assert record.__dict__["status"] == 404
    assert "98207272" not in record.getMessage() and "98207272" not in repr(record.__dict__)
