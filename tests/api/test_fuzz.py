"""Property-based fuzz of the OpenAPI schema: no input makes the API answer 5xx or off-schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.main import app
from tests.support.api import AUTH

# Built from the app object rather than fetched, so nothing starts at import: schemathesis runs
# the app's lifespan (migrations, pool) at the first call, once api_env points at the test database.
schema = schemathesis.openapi.from_dict(app.openapi())
schema.app = app


@pytest.fixture(autouse=True)
def _test_database(api_env: None, store: object) -> Iterator[None]:
    yield


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_on_any_input(case: schemathesis.Case[Any]) -> None:
    # Two checks are left out. Negative-data rejection mutates requests by adding unknown query
    # parameters, which the API ignores as most HTTP APIs do. Positive-data acceptance assumes
    # the schema says everything about validity, but whether a string is a real phone number
    # is beyond a schema (phonenumbers decides). Every other check runs: no 5xx, documented
    # status codes, content types, and bodies that match the schema.
    case.call_and_validate(
        headers=AUTH,
        excluded_checks=[checks.negative_data_rejection, checks.positive_data_acceptance],
    )


# What a caller's browser may read without the staff key.
PUBLIC = {"/api/restaurant"}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_without_a_key_is_refused_cleanly(case: schemathesis.Case[Any]) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    # GET requests to GET operations: schemathesis also probes each route with methods it does
    # not have (GET on the public POST /api/token), which rightly answer 405.
    is_get = case.method.upper() == case.operation.method.upper() == "GET"
    if is_get and case.path.startswith("/api/") and case.path not in PUBLIC:
        # The key is checked before anything else, so nothing is learnt without it.
        assert response.status_code == 401, response.text
