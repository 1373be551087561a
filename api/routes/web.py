"""The caller's side: the call page at / and the public facts it shows."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from core.restaurant import Restaurant
from core.settings import PROJECT_ROOT

# Built from web/ by `npm run build` (scripts/setup runs it).
WEB_DIST = PROJECT_ROOT / "web" / "dist"

logger = logging.getLogger(__name__)
router = APIRouter(tags=["caller"])


class RestaurantPublic(BaseModel):
    name: str
    address: str
    phone: str
    timezone: str


@router.get("/api/restaurant", summary="The restaurant's public identity, for the call page")
async def restaurant(request: Request) -> RestaurantPublic:
    configured: Restaurant = request.state.restaurant
    identity = configured.identity
    return RestaurantPublic(
        name=identity.name,
        address=identity.address,
        phone=identity.phone,
        timezone=identity.timezone,
    )


def install_call_page(app: FastAPI) -> None:
    """Serve the built page at / and its files under /assets, or say how to build it."""
    index = WEB_DIST / "index.html"
    if not index.exists():
        logger.warning("call page not built", extra={"missing": str(WEB_DIST)})

    @app.get("/", include_in_schema=False, response_model=None)
    async def call_page() -> FileResponse | PlainTextResponse:
        if index.exists():
            return FileResponse(index)
        return PlainTextResponse(
            "The call page is not built: run `npm ci && npm run build` in web/ "
            "(scripts/setup does it).",
            status_code=503,
        )

    # Only /assets, never a catch-all at /: that would answer for every unknown API path.
    app.mount(
        "/assets",
        StaticFiles(directory=WEB_DIST / "assets", check_dir=False),
        name="call-page-assets",
    )
