"""Fuzz every operation of the OpenAPI spec with schemathesis: no input causes a 5xx, every
response (status, content type, body, headers) matches the published spec, and a request the
spec calls invalid is refused.

Bounded: 25 examples per operation (a few hundred requests in all), in-process over ASGI, with
an admin key so that every route is reached (auth failures have their own tests). Driven
through hypothesis directly (schemathesis' own pytest plugin does not load under this pytest
version)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tradescreen.api import create_app
from tradescreen.api.config import ApiConfig

EXAMPLES = 25
CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance,
    response_schema_conformance, response_headers_conformance, negative_data_rejection,
]


def test_responses_conform_to_the_published_schema(api_settings, screener, keys):
    app = create_app(api_settings, screener=screener, config=ApiConfig(rate=0))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    headers = {"Authorization": f"ApiKey {keys.admin}"}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
