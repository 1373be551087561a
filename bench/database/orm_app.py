"""The comparison for `bench.database.lookup`: the staff API's phone lookup route, over the ORM.

Everything but the data access is the real app's: the same settings, bearer-key check
(`api.deps.require_api_key`), phone normalisation (`core.spoken.phones.normalize_phone`), response
model (`api.schemas.ReservationPublic`), error handlers and access log. The reservations come
from `bench.database.orm.OrmReservations` (SQLAlchemy 2 async ORM sessions) instead of the store.

    DATABASE_URL=... API_KEY=... uvicorn bench.database.orm_app:app --workers 1

Benchmark code, not product code: it serves only the lookup route and /healthz.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from sqlalchemy import select

from api.access_log import install_access_log
from api.deps import require_api_key
from api.errors import (
    AUTH_RESPONSES,
    NOT_FOUND_RESPONSES,
    PROBLEM_RESPONSES,
    InvalidParameter,
    install_error_handlers,
)
from api.schemas import Health, ReservationPublic
from bench.database.common import sqlalchemy_url
from bench.database.orm import OrmReservations, create_engine
from core.errors import ReservationNotFound
from core.logs import configure_logging
from core.models import Reservation
from core.restaurant import load_restaurant
from core.settings import get_settings
from core.spoken.phones import InvalidPhone, normalize_phone


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    settings = get_settings()
    configure_logging(settings.log_level)
    if settings.api_key is None or not settings.api_key.get_secret_value():
        raise RuntimeError("Set API_KEY: staff routes need it as their bearer token.")
    if not settings.database_url:
        raise RuntimeError("Set DATABASE_URL: the benchmark runs against a migrated database.")
    restaurant = load_restaurant(settings.restaurant_config)
    # The same bound as the real app's asyncpg pool (DB_POOL_MAX_SIZE).
    engine = create_engine(
        sqlalchemy_url(settings.database_url), pool_size=settings.db_pool_max_size
    )
    try:
        yield {
            "reservations": OrmReservations(engine, restaurant),
            "api_key": settings.api_key.get_secret_value(),
        }
    finally:
        await engine.dispose()


def get_reservations(request: Request) -> OrmReservations:
    reservations: OrmReservations = request.state.reservations
    return reservations


ReservationsDep = Annotated[OrmReservations, Depends(get_reservations)]

router = APIRouter(
    prefix="/api/reservations",
    tags=["reservations"],
    dependencies=[Depends(require_api_key)],
    responses=AUTH_RESPONSES | NOT_FOUND_RESPONSES,
)


def _public(reservation: Reservation) -> ReservationPublic:
    return ReservationPublic.model_validate(reservation, from_attributes=True)


@router.get("/{phone}", summary="A phone number's upcoming confirmed reservations")
async def upcoming_by_phone(
    reservations: ReservationsDep,
    phone: Annotated[
        str, Path(description="Any format; 8 digits mean Singapore (+65).", max_length=40)
    ],
) -> list[ReservationPublic]:
    try:
        phone_number = normalize_phone(phone, "SG")
    except InvalidPhone as exc:
        raise InvalidParameter("path parameter 'phone'", str(exc)) from exc
    found = await reservations.upcoming_by_phone(phone_number)
    if not found:
        raise ReservationNotFound("No upcoming reservations for that phone number.")
    return [_public(r) for r in found]


health = APIRouter(tags=["health"])


@health.get("/healthz", summary="200 when the database answers")
async def healthz(reservations: ReservationsDep) -> Health:
    async with reservations.sessions() as session:
        await session.execute(select(1))
    return Health(status="ok")


app = FastAPI(
    title="Restaurant receptionist API (ORM comparison)",
    lifespan=lifespan,
    responses=PROBLEM_RESPONSES,
)
install_error_handlers(app)
install_access_log(app)
app.include_router(router)
app.include_router(health)
