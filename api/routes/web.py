"""The pages: the call page at /, the staff page at /staff, and the public facts they show."""

from __future__ import annotations

import logging
import os

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


def _serve(app: FastAPI, path: str, page: str, what: str) -> None:
    built = WEB_DIST / page
    if not built.exists():
        logger.warning("page not built", extra={"page": page, "missing": str(WEB_DIST)})

    async def serve() -> FileResponse | PlainTextResponse:
        if built.exists():
            return FileResponse(built)
        return PlainTextResponse(
            f"The {what} is not built: run `npm ci && npm run build` in web/ "
            "(scripts/setup does it).",
            status_code=503,
        )

    app.add_api_route(path, serve, include_in_schema=False, response_model=None)


def install_call_page(app: FastAPI) -> None:
    """Serve the built pages (the call page at /, the staff page at /staff) and their files
    under /assets, or say how to build them."""
    _serve(app, "/", "index.html", "call page")
    # The page itself is public, like the call page: everything it shows comes from routes
    # that need the staff key.
    _serve(app, "/staff", "staff.html", "staff page")

    # Only /assets, never a catch-all at /: that would answer for every unknown API path.
    app.mount(
        "/assets",
        PageAssets(directory=WEB_DIST / "assets", check_dir=False),
        name="call-page-assets",
    )


class PageAssets(StaticFiles):
    """The pages' files, never a source map: the build makes none (web/package.json), and one
    left in web/dist by an older build would hand anyone the readable source."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path.lower().endswith(".map"):
            return "", None
        return super().lookup_path(path)
