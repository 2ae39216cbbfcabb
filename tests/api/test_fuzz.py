"""Property-based requests from the OpenAPI document (schemathesis, fixed seed, small budget), judged by every
check schemathesis has but one: no operation answers 500 or a status its document does not declare, every
response matches its declared schema, content type and headers, a 405 names the allowed methods, data the
schema refuses is refused, no operation ignores the token. docs/api.md has the long run against a server.

Left out: positive_data_acceptance, which expects every request the schema admits to succeed; the API also
refuses on rules no schema states (an unknown role or reference, a date outside 2000-2100), each with a 422
naming the field — the answer this check would call wrong."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import CHECKS
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: F401  (registers the OpenAPI checks)

from tests import factories as f
from tests.api.helpers import Api, url

EXAMPLES = 30  # per operation: the whole test stays well under a minute on a busy machine
LEFT_OUT = {"positive_data_acceptance"}


def test_no_operation_answers_a_server_error_or_an_undocumented_status(app):
    f.user("admin", role="admin")
    token = Api(app, "admin").headers
    schema = schemathesis.openapi.from_wsgi(url("api.openapi_document"), app)
    checks = [check for check in CHECKS.get_all() if check.__name__ not in LEFT_OUT]
    assert {"response_schema_conformance", "negative_data_rejection", "ignored_auth",
            "allow_header_conformance"} <= {check.__name__ for check in checks}
    seen: set = set()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @seed(20261127)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            # called right below, inside this iteration: the loop variable is the one meant
            response = case.call_and_validate(headers={**(case.headers or {}), **token}, checks=checks)
            seen.add((case.operation.method, case.operation.path, response.status_code))

        check()
    # every operation of the document was called
    assert {(method, path) for method, path, _ in seen} == {(o.method, o.path) for o in operations}
    assert {status for *_, status in seen} >= {200, 422}  # past the token check, into the views
