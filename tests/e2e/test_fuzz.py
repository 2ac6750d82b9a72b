"""Fuzzing of the public HTTP APIs from their own OpenAPI documents (schemathesis, property-based): whatever the
input, valid or not, no service answers with a server error. Each request carries the token of a caller the route
admits, so the generated data reaches the handlers instead of stopping at the access check."""

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.e2e.platform import Platform

pytestmark = pytest.mark.e2e

EXAMPLES = 12  # per operation and mode; enough to hit every field with bad values, short enough for CI
PARTNER_ROUTES = ("/api/v1/signals", "/api/v1/feedback", "/api/v1/evictions")
ADMIN_ROUTES = ("/api/v1/partners", "/api/v1/accounts", "/api/v1/audit", "/api/v1/retention", "/api/v1/catalogue")
STAFF_OF = {"signals": "outreach", "referrals": "outreach", "volunteers": "coordinator", "reporting": "lead"}


def caller(platform: Platform, service: str, method: str, path: str) -> dict[str, str]:
    if path.startswith(PARTNER_ROUTES):
        return platform.partner_headers()
    if path.startswith(ADMIN_ROUTES) or (method == "PUT" and path.startswith("/api/v1/offers")):
        return platform.headers("beheerder")
    return platform.headers(STAFF_OF[service])


@pytest.mark.parametrize("service", list(STAFF_OF))
def test_no_input_makes_an_api_fail_with_a_server_error(platform: Platform, service: str) -> None:
    schema = schemathesis.openapi.from_url(f"{platform.url(service)}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/v1/oauth"):  # form-encoded credentials; covered by the access tests
            continue
        operations += 1
        headers = caller(platform, service, operation.method.upper(), operation.path)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures.extend(fuzz(operation, mode, headers))
    assert operations > 0
    assert not failures, "\n".join(failures)


def fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, headers: dict[str, str]) -> list[str]:
    """The server errors found for one operation; an operation without inputs has no invalid ones to try."""
    failures: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case: schemathesis.Case) -> None:
        response = case.call(headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except AssertionError as error:
            failures.append(f"{case.method} {case.formatted_path} ({mode.value}): {str(error)[:300]}")
            raise

    with contextlib.suppress(AssertionError, Unsatisfiable):  # failures are recorded with their case above
        call()
    return failures
