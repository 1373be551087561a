"""The staff desk's routes over HTTP, against a restaurant where it is midday now: bookings staff
take and walk-ins, status changes, a day's occupancy, callbacks, and the staff page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import asyncpg
import httpx
import pytest

from core.models import Reservation, ReservationStatus
from core.services.calls import CallService
from core.services.reservations import ReservationService
from tests.support.api import AUTH
from tests.support.database import outbox

DINNER = time(19, 0)


def today(service: ReservationService) -> date:
    return service.restaurant.local_now(service.now()).date()


async def agent_books(
    service: ReservationService, phone: str, at: time = DINNER, party: int = 4
) -> Reservation:
    """A booking as the voice agent makes it, tonight."""
    return await service.create(
        phone_number=phone,
        name="Mei Ling Tan",
        reservation_date=today(service),
        reservation_time=at,
        party_size=party,
        other_info={"notes": "birthday"},
        session_id="room-1",
    )


async def stored(
    service: ReservationService, day: date, at: time, status: ReservationStatus = "confirmed"
) -> Reservation:
    """A booking written straight through the store, e.g. for a day already gone."""
    return await service.store.book(
        code="PAST01",
        phone_number="+6591112222",
        name="Yesterday",
        reservation_date=day,
        reservation_time=at,
        party_size=2,
        other_info={},
        idempotency_key=None,
        session_id=None,
        status=status,
        announce=False,
        dining=service.restaurant.booking.dining,
        capacity=service.restaurant.booking.capacity_covers,
    )


WALK_IN = {"name": "Ahmad Faizal", "phone_number": "9820 7272", "party_size": 3, "walk_in": True}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/escalations"),
        ("PATCH", "/api/escalations/1"),
        ("GET", "/api/occupancy"),
        ("POST", "/api/reservations"),
        ("PATCH", "/api/reservations/code/ABC123"),
    ],
)
async def test_every_desk_route_needs_the_key(
    midday_client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await midday_client.request(method, path, json={"status": "seated"})
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]


# --- bookings staff take ----------------------------------------------------------------


async def test_a_walk_in_is_seated_now_and_a_retry_books_once(
    midday_client: httpx.AsyncClient, midday_service: ReservationService, pool: asyncpg.Pool
) -> None:
    headers = {**AUTH, "Idempotency-Key": "4f1c-walk-in"}
    first = await midday_client.post("/api/reservations", json=WALK_IN, headers=headers)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["status"], body["phone_number"], body["party_size"]) == (
        "seated",
        "+6598207272",
        3,
    )
    local_now = midday_service.restaurant.local_now(midday_service.now())
    slot = datetime.fromisoformat(f"{body['reservation_date']}T{body['reservation_time']}")
    assert timedelta(0) <= local_now - slot < timedelta(minutes=15)
    retry = await midday_client.post("/api/reservations", json=WALK_IN, headers=headers)
    assert retry.status_code == 201
    assert retry.json()["confirmation_code"] == body["confirmation_code"]
    day = await midday_client.get(
        f"/api/reservations?date={body['reservation_date']}", headers=AUTH
    )
    assert day.json()["total"] == 1
    other = await midday_client.post(
        "/api/reservations", json={**WALK_IN, "party_size": 5}, headers=headers
    )
    assert other.status_code == 422
    assert "Idempotency-Key was already used" in other.json()["detail"]
    assert await outbox(pool) == []  # staff changes are not announced to staff


async def test_a_booking_for_tonight_follows_the_agents_rules(
    midday_client: httpx.AsyncClient, midday_service: ReservationService
) -> None:
    tonight = today(midday_service).isoformat()
    booking = {
        "name": "Chloe Lim",
        "phone_number": "+65 9123 4567",
        "party_size": 10,
        "reservation_date": tonight,
        "reservation_time": "19:00",
        "notes": "window table",
    }
    made = await midday_client.post("/api/reservations", json=booking, headers=AUTH)
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "confirmed"
    assert made.json()["other_info"] == {"notes": "window table"}
    for n in range(3):
        await agent_books(midday_service, f"+659000000{n}", party=10)
    full = await midday_client.post(
        "/api/reservations", json={**booking, "phone_number": "81234567"}, headers=AUTH
    )
    assert full.status_code == 409
    problem = full.json()
    assert problem["reason"] == "slot_taken"
    assert problem["detail"] == "That time is fully booked."
    assert problem["alternatives"] and all(
        set(a) == {"reservation_date", "reservation_time"} for a in problem["alternatives"]
    )
    assert {a["reservation_time"] for a in problem["alternatives"]}.isdisjoint({"19:00"})
    twice = await midday_client.post(
        "/api/reservations",
        json={**booking, "reservation_time": "12:00", "reservation_date": tonight},
        headers=AUTH,
    )
    assert twice.status_code == 409
    assert twice.json()["reason"] == "in_past"
    again = await midday_client.post(
        "/api/reservations", json={**booking, "reservation_time": "21:00"}, headers=AUTH
    )
    assert (again.status_code, again.json()["reason"]) == (409, "already_booked")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"phone_number": "12345"}, "phone_number", "phone number"),
        ({"name": "   "}, "name", "at least 1 character"),
        ({"party_size": 0}, "party_size", "greater than or equal to 1"),
        ({"walk_in": False}, "body", "give reservation_date and reservation_time"),
        ({"reservation_time": "19:00"}, "body", "a walk-in is seated now"),
        ({"reservation_date": "tomorrow", "walk_in": False}, "reservation_date", "YYYY-MM-DD"),
        ({"notes": "line\x00break"}, "notes", "pattern"),
        ({"table": 4}, "table", "Extra inputs are not permitted"),
    ],
)
async def test_a_bad_booking_is_a_readable_422(
    midday_client: httpx.AsyncClient, change: dict[str, object], field: str, words: str
) -> None:
    response = await midday_client.post(
        "/api/reservations", json={**WALK_IN, **change}, headers=AUTH
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert words in problem["detail"]
    assert any(field in e["field"] for e in problem["errors"])


# --- status changes ------------------------------------------------------------------------


async def test_staff_seat_and_complete_a_booking(
    midday_client: httpx.AsyncClient, midday_service: ReservationService, pool: asyncpg.Pool
) -> None:
    made = await agent_books(midday_service, "+6598207272")
    path = f"/api/reservations/code/{made.confirmation_code.lower()}"
    seated = await midday_client.patch(path, json={"status": "seated"}, headers=AUTH)
    assert seated.status_code == 200, seated.text
    assert seated.json()["status"] == "seated"
    assert (await midday_client.patch(path, json={"status": "seated"}, headers=AUTH)).json()[
        "status"
    ] == "seated"
    no_show = await midday_client.patch(path, json={"status": "no_show"}, headers=AUTH)
    assert no_show.status_code == 409
    assert no_show.json()["detail"] == "This booking is seated, so it can't be marked a no-show."
    done = await midday_client.patch(path, json={"status": "completed"}, headers=AUTH)
    assert done.json()["status"] == "completed"
    # The agent's booking was announced once; the staff's changes were not.
    assert [n["event_type"] for n in await outbox(pool)] == ["reservation.created"]


async def test_a_past_booking_cannot_be_confirmed_again(
    midday_client: httpx.AsyncClient, midday_service: ReservationService
) -> None:
    yesterday = await stored(midday_service, today(midday_service) - timedelta(days=1), DINNER)
    path = f"/api/reservations/code/{yesterday.confirmation_code}"
    assert (await midday_client.patch(path, json={"status": "no_show"}, headers=AUTH)).json()[
        "status"
    ] == "no_show"
    again = await midday_client.patch(path, json={"status": "confirmed"}, headers=AUTH)
    assert again.status_code == 409
    assert (
        again.json()["detail"] == "This booking's time has passed, so it can't be confirmed again."
    )


@pytest.mark.parametrize(
    ("code", "body", "status", "words"),
    [
        ("ZZZZZZ", {"status": "seated"}, 404, "couldn't find a booking"),
        ("TOO-LONG-1", {"status": "seated"}, 422, "six letters and digits"),
        ("ABC123", {"status": "eaten"}, 422, "status"),
        ("ABC123", {}, 422, "Field required"),
    ],
)
async def test_a_bad_status_change_is_readable(
    midday_client: httpx.AsyncClient, code: str, body: dict[str, str], status: int, words: str
) -> None:
    response = await midday_client.patch(f"/api/reservations/code/{code}", json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


# --- a day at a glance ----------------------------------------------------------------------


async def test_occupancy_of_today_by_default(
    midday_client: httpx.AsyncClient, midday_service: ReservationService
) -> None:
    await agent_books(midday_service, "+6598207272", party=4)
    await agent_books(midday_service, "+6591234567", at=time(19, 30), party=6)
    response = await midday_client.get("/api/occupancy", headers=AUTH)
    assert response.status_code == 200
    day = response.json()
    assert day["reservation_date"] == today(midday_service).isoformat()
    assert day["capacity_covers"] == 40
    lunch, dinner = day["services"]
    assert (lunch["service"], lunch["opens"], lunch["closes"]) == ("lunch", "11:00", "15:00")
    covers = {s["time"]: s["covers"] for s in dinner["slots"]}
    assert (covers["18:45"], covers["19:00"], covers["19:45"], covers["20:30"]) == (0, 4, 10, 6)
    other = await midday_client.get("/api/occupancy?date=2030-01-07", headers=AUTH)
    assert other.json()["reservation_date"] == "2030-01-07"
    bad = await midday_client.get("/api/occupancy?date=0", headers=AUTH)
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.json()["detail"]


# --- callbacks ------------------------------------------------------------------------------


async def test_callbacks_are_listed_started_and_resolved(
    midday_client: httpx.AsyncClient, calls: CallService
) -> None:
    normal = await calls.create_escalation(
        name="Rajesh", phone_number="+6591112222", reason="private event", summary="A buyout."
    )
    urgent = await calls.create_escalation(
        name="Aisha",
        phone_number="+6591234567",
        reason="complaint",
        summary="Cold food.",
        urgency="high",
    )
    listed = await midday_client.get("/api/escalations", headers=AUTH)
    assert listed.status_code == 200
    page = listed.json()
    assert [e["name"] for e in page["items"]] == ["Aisha", "Rajesh"]
    assert page["items"][0] == {
        "id": urgent.id,
        "name": "Aisha",
        "phone_number": "+6591234567",
        "reason": "complaint",
        "summary": "Cold food.",
        "urgency": "high",
        "status": "open",
        "staff_note": None,
        "session_id": None,
        "created_at": page["items"][0]["created_at"],
        "updated_at": page["items"][0]["updated_at"],
    }
    path = f"/api/escalations/{urgent.id}"
    started = await midday_client.patch(
        path, json={"status": "in_progress", "note": " Calling now. "}, headers=AUTH
    )
    assert started.status_code == 200
    assert (started.json()["status"], started.json()["staff_note"]) == (
        "in_progress",
        "Calling now.",
    )
    twice = await midday_client.patch(path, json={"status": "in_progress"}, headers=AUTH)
    assert twice.status_code == 409
    assert twice.json()["detail"] == "This callback is already in progress."
    resolved = await midday_client.patch(path, json={"status": "resolved"}, headers=AUTH)
    assert resolved.json()["status"] == "resolved"
    back = await midday_client.patch(path, json={"status": "open"}, headers=AUTH)
    assert back.status_code == 409
    assert back.json()["detail"] == "This callback is resolved, so it can't be moved back to open."
    open_now = await midday_client.get("/api/escalations", headers=AUTH)
    assert [e["id"] for e in open_now.json()["items"]] == [normal.id]
    done = await midday_client.get("/api/escalations?status=resolved", headers=AUTH)
    assert [e["id"] for e in done.json()["items"]] == [urgent.id]
    both = await midday_client.get(
        "/api/escalations?status=resolved&status=open&page_size=1&page=2", headers=AUTH
    )
    assert (both.json()["total"], len(both.json()["items"])) == (2, 1)


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/api/escalations/999", {"status": "resolved"}, 404, "no callback with that id"),
        ("/api/escalations/0", {"status": "resolved"}, 422, "greater than or equal to 1"),
        ("/api/escalations/1", {"status": "done"}, 422, "status"),
        ("/api/escalations/1", {"status": "resolved", "note": "x" * 1001}, 422, "1000"),
    ],
)
async def test_a_bad_callback_change_is_readable(
    midday_client: httpx.AsyncClient, path: str, body: dict[str, str], status: int, words: str
) -> None:
    response = await midday_client.patch(path, json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


async def test_bad_callback_queries_are_readable(midday_client: httpx.AsyncClient) -> None:
    response = await midday_client.get("/api/escalations?status=closed", headers=AUTH)
    assert response.status_code == 422
    assert "query parameter 'status" in response.json()["detail"]


# --- the page -------------------------------------------------------------------------------


async def test_the_staff_page_is_served_beside_the_call_page(
    midday_client: httpx.AsyncClient,
) -> None:
    page = await midday_client.get("/staff")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "Staff desk" in page.text
    script = await midday_client.get("/assets/staff.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
