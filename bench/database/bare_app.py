"""Calibration for `bench.database.lookup`: the same lookup with nothing but FastAPI and asyncpg.

No key check, no phone validation, no store, no pydantic models, no middleware: the last eight
digits of the path are the Singapore number, and the rows of the product's own named query
(`list_upcoming_by_phone`) go out as plain dicts. What this does per second on a machine is
roughly the ceiling for any FastAPI + asyncpg lookup there, the figure the issue's prototype
quotes ("a bare FastAPI + asyncpg lookup"). Benchmark code, not product code.

    DATABASE_URL=... uvicorn bench.database.bare_app:app --workers 1
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import FastAPI, Request

from core.db.base import QUERIES
from core.db.pool import create_pool

SINGAPORE = ZoneInfo("Asia/Singapore")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    pool = await create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10, timeout=2)
    try:
        yield {"pool": pool}
    finally:
        await pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/reservations/{phone}")
async def upcoming_by_phone(phone: str, request: Request) -> list[dict[str, Any]]:
    pool: asyncpg.Pool = request.state.pool
    local_now = datetime.now(SINGAPORE).replace(tzinfo=None)
    digits = "".join(c for c in phone if c.isdigit())
    rows = QUERIES.list_upcoming_by_phone(
        pool, phone_number="+65" + digits[-8:], local_now=local_now
    )
    return [dict(row) async for row in rows]
