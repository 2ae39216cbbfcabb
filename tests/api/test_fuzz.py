"""Property-based requests from the OpenAPI document (schemathesis, fixed seed, small budget): no operation
answers 500 or a status its document does not declare. docs/api.md has the long run against a server."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import CHECKS

from tests import factories as f
from tests.api.helpers import Api, url

EXAMPLES = 30  # per operation: the whole test stays well under a minute on a busy machine


def test_no_operation_answers_a_server_error_or_an_undocumented_status(app):
    f.user("admin", role="admin")
    token = Api(app, "admin").headers
    schema = schemathesis.openapi.from_wsgi(url("api.openapi_document"), app)
    checks = CHECKS.get_by_names(["not_a_server_error", "status_code_conformance"])
    seen: set = set()
    for result in schema.get_all_operations():
        operation = result.ok()

        @seed(20261127)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            # called right below, inside this iteration: the loop variable is the one meant
            response = case.call_and_validate(headers={**(case.headers or {}), **token}, checks=checks)
            seen.add((case.operation.method, case.operation.path, response.status_code))

        check()
    assert len({(method, path) for method, path, _ in seen}) == 17  # every operation was called
    assert {status for *_, status in seen} >= {200, 422}  # past the token check, into the views
