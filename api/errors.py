"""Domain errors to HTTP answers, in one place; bodies are always `{"detail": "..."}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.schemas import FieldProblem, Problem, ValidationProblem
from core.errors import AlreadyBooked, BookingRejected, DatabaseUnavailable, ReservationNotFound

logger = logging.getLogger(__name__)

_STATUS = {
    ReservationNotFound: status.HTTP_404_NOT_FOUND,
    AlreadyBooked: status.HTTP_409_CONFLICT,
    BookingRejected: status.HTTP_409_CONFLICT,
    DatabaseUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(InvalidParameter, _invalid_parameter)
    for error, code in _STATUS.items():
        app.add_exception_handler(error, _domain_problem(code))  # type: ignore[arg-type]
