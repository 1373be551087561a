"""The API's OpenAPI schema and its interactive docs, as API_DOCS says.

`staff` (the default): the schema at /openapi.json for a client that sends the staff key, and
no interactive page, since a browser cannot send the key when it opens one. `public`: the schema
and Swagger UI at /docs for anyone (`receptionist up` on loopback). `off`: neither.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from api.deps import check_api_key
from core.settings import get_settings

router = APIRouter(include_in_schema=False)

SCHEMA_PATH = "/openapi.json"
# Swagger UI as FastAPI serves it: the bundle from jsDelivr, started by one inline script.
_CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@router.get(SCHEMA_PATH)
async def schema(request: Request) -> JSONResponse:
    docs = get_settings().api_docs
    if docs == "off":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    if docs == "staff":
        await check_api_key(request)
    return JSONResponse(request.app.openapi())


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    docs = get_settings().api_docs
    if docs != "public":
        detail = "Not Found"
        if docs == "staff":
            detail = f"No interactive docs here: fetch {SCHEMA_PATH} with the staff key."
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail)
    root = request.scope.get("root_path", "").rstrip("/")
    page = get_swagger_ui_html(openapi_url=root + SCHEMA_PATH, title=request.app.title)
    page.headers["Content-Security-Policy"] = _policy_for(bytes(page.body).decode())
    return page


def _policy_for(html: str) -> str:
    """The page's own policy (security_headers.py leaves it alone): the CDN's files and, by
    its hash, the one inline script that starts Swagger UI, which changes with FastAPI."""
    digests = [hashlib.sha256(s.encode()).digest() for s in _INLINE_SCRIPT.findall(html)]
    hashes = [f"'sha256-{base64.b64encode(d).decode()}'" for d in digests]
    return "; ".join(
        [
            "default-src 'none'",
            " ".join(["script-src", _CDN, *hashes]),
            f"style-src {_CDN}",
            "img-src 'self' data: https://fastapi.tiangolo.com",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
