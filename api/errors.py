"""Domain errors to HTTP answers, in one place; bodies are always `{"detail": "..."}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route

from api.schemas import Alternative, BookingConflict, FieldProblem, Problem, ValidationProblem
from core.errors import (
    AlreadyBooked,
    BookingRejected,
    CallNotFound,
    DatabaseUnavailable,
    EscalationNotFound,
    IdempotencyKeyReused,
    IllegalTransition,
    RecordingsUnavailable,
    ReservationNotFound,
)

logger = logging.getLogger(__name__)

_STATUS = {
    ReservationNotFound: status.HTTP_404_NOT_FOUND,
    EscalationNotFound: status.HTTP_404_NOT_FOUND,
    CallNotFound: status.HTTP_404_NOT_FOUND,
    IllegalTransition: status.HTTP_409_CONFLICT,
    IdempotencyKeyReused: status.HTTP_422_UNPROCESSABLE_CONTENT,
    DatabaseUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
    RecordingsUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}

# What every route may answer besides success, for the OpenAPI schema.
PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    422: {"model": ValidationProblem, "description": "The request is malformed."},
    503: {"model": Problem, "description": "The database is unavailable."},
}


AUTH_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": Problem, "description": "The API key is missing or wrong."},
}
NOT_FOUND_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"model": Problem, "description": "Nothing matches."},
}
# FastAPI's answer to a body it cannot decode as text (not UTF-8); bad JSON is a 422.
BODY_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": Problem, "description": "The body cannot be read."},
    413: {"model": Problem, "description": "The body is larger than MAX_BODY_BYTES."},
}
CONFLICT_RESPONSES: dict[int | str, dict[str, object]] = BODY_RESPONSES | {
    409: {"model": Problem, "description": "The rules do not allow that change now."},
}
BOOKING_RESPONSES: dict[int | str, dict[str, object]] = BODY_RESPONSES | {
    409: {"model": BookingConflict, "description": "That cannot be booked; nearest times."},
}


class InvalidParameter(Exception):
    """A parameter that passed the schema but is still not valid, e.g. an impossible phone."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


async def _invalid_parameter(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidParameter)
    body = ValidationProblem(
        detail=exc.message, errors=[FieldProblem(field=exc.field, message=exc.message)]
    )
    return JSONResponse(body.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _field(loc: tuple[str | int, ...]) -> str:
    where, *path = loc
    name = ".".join(str(p) for p in path) or str(where)
    return f"{where} parameter '{name}'" if where in ("query", "path", "header") else name


async def _validation_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldProblem(field=_field(tuple(e["loc"])), message=str(e["msg"])) for e in exc.errors()
    ]
    body = ValidationProblem(
        detail="; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
    )
    return JSONResponse(body.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _domain_problem(code: int) -> object:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        if code >= 500:
            # The route's template, never the raw path: paths carry phone numbers.
            route = getattr(request.scope.get("route"), "path", "unmatched")
            logger.warning("request failed", extra={"error": type(exc).__name__, "route": route})
        return JSONResponse({"detail": str(exc)}, status_code=code)

    return handler


async def _booking_conflict(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, BookingRejected):
        reason, alternatives = exc.reason.value, exc.alternatives
    else:
        reason, alternatives = "already_booked", ()
    body = BookingConflict(
        detail=str(exc),
        reason=reason,
        alternatives=[
            Alternative(reservation_date=at.date(), reservation_time=at.time())
            for at in alternatives
        ],
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status.HTTP_409_CONFLICT)


async def _http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        # Starlette names only the methods of the first route on the path; a path served by
        # several routes (GET and POST /api/reservations) must list them all.
        allowed = {
            method
            for route in request.app.router.routes
            if isinstance(route, Route) and route.matches(request.scope)[0] is not Match.NONE
            for method in route.methods or ()
        }
        exc = HTTPException(exc.status_code, exc.detail, {"Allow": ", ".join(sorted(allowed))})
    return await http_exception_handler(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_problem)
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(InvalidParameter, _invalid_parameter)
    app.add_exception_handler(BookingRejected, _booking_conflict)
    app.add_exception_handler(AlreadyBooked, _booking_conflict)
    for error, code in _STATUS.items():
        app.add_exception_handler(error, _domain_problem(code))  # type: ignore[arg-type]
