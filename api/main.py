"""The API: the staff desk, handoff analytics, health, caller tokens, the pages, and the
delivery of staff notices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api.access_log import install_access_log
from api.body_limit import install_body_limit
from api.call_watch import call_watch, watch_name
from api.errors import PROBLEM_RESPONSES, install_error_handlers
from api.live_calls import LiveCalls
from api.routes import (
    analytics,
    calls,
    docs,
    escalations,
    health,
    livekit_webhook,
    metrics,
    occupancy,
    reservations,
    token,
    web,
)
from api.security_headers import install_security_headers
from api.shared_calls import SharedIssued
from api.staff_keys import parse_staff_keys
from core.db.base import Database
from core.db.call_log import CallLog
from core.db.call_records import CallRecords
from core.db.desk import DeskStore
from core.db.pool import create_pool
from core.db.reservations import ReservationStore
from core.db.watched_rooms import WatchedRooms
from core.logs import configure_logging
from core.notices.delivery import delivering
from core.recordings import recording_store
from core.services.calls import CallService
from core.services.desk import StaffDesk
from core.services.reservations import ReservationService
from core.services.retention import purge_daily
from core.settings import get_settings
from core.startup import start_up


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    settings = get_settings()
    configure_logging(settings.log_level)
    staff_keys = parse_staff_keys(settings.api_key.get_secret_value() if settings.api_key else "")
    # Before anything is opened: a REDIS_URL that is not one stops the start here.
    shared = SharedIssued(settings.redis_url) if settings.redis_url else None
    started = await start_up(settings)
    pool = await create_pool(
        started.database_url,
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        timeout=settings.db_timeout_seconds,
    )
    timeout = settings.db_timeout_seconds
    records = CallRecords(pool, timeout=timeout)
    # Staff act here, so nothing they do is announced to them (core/services/reservations.py).
    reservations = ReservationService(
        ReservationStore(pool, timeout=timeout), started.restaurant, notify_staff=False
    )
    recordings = recording_store(settings)
    background = [
        asyncio.create_task(purge_daily(records, started.restaurant, reservations.now, recordings))
    ]
    # Counted by the call watch, read by the token endpoint for the cap on concurrent calls.
    live_calls = LiveCalls(settings.max_concurrent_calls, shared=shared)
    watch = call_watch(settings, started.restaurant, live_calls)
    hooks = None
    if watch is not None:
        watch.rooms = WatchedRooms(pool, watch_name(settings), timeout=timeout)
        background.append(asyncio.create_task(watch.run(pool)))
        # The watch exists only with the key and secret; they also check LiveKit's webhooks.
        assert settings.livekit_api_key and settings.livekit_api_secret
        hooks = livekit_webhook.webhooks(
            watch.rooms,
            settings.livekit_api_key.get_secret_value(),
            settings.livekit_api_secret.get_secret_value(),
        )
    try:
        async with delivering(settings, pool, started.restaurant):
            yield {
                "database": Database(pool, timeout=timeout),
                "reservations": reservations,
                "calls": CallService(records, notify_staff=False),
                "desk": StaffDesk(reservations, DeskStore(pool, timeout=timeout)),
                "call_log": CallLog(pool, timeout=timeout),
                "recordings": recordings,
                "restaurant": started.restaurant,
                "staff_keys": staff_keys,
                "live_calls": live_calls,
                "livekit_webhooks": hooks,
            }
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        if watch is not None:
            await watch.livekit.aclose()
        if shared is not None:
            await shared.aclose()
        await pool.close()


app = FastAPI(
    title="Restaurant receptionist API",
    summary="The staff desk (bookings, callbacks, a day's occupancy), handoff analytics, "
    "health, and caller tokens.",
    lifespan=lifespan,
    responses=PROBLEM_RESPONSES,
    # Served by api/routes/docs.py, as API_DOCS says; no ReDoc.
    openapi_url=None,
    docs_url=None,
    redoc_url=None,
)
install_error_handlers(app)
# Middleware added later wraps what was added before: the body limit sits inside the access log
# (a 413 is logged) and the token route's CORS (a browser can read it); the headers go on all.
install_body_limit(app)
install_access_log(app)
app.include_router(reservations.router)
app.include_router(escalations.router)
app.include_router(occupancy.router)
app.include_router(analytics.router)
app.include_router(calls.router)
app.include_router(metrics.router)
app.include_router(health.router)
app.include_router(token.router)
app.include_router(livekit_webhook.router)
app.include_router(web.router)
app.include_router(docs.router)
token.install_token_cors(app)
install_security_headers(app)
# Last: the page is mounted at / and would otherwise shadow the routes above.
web.install_call_page(app)
