"""Fuzz every operation of the OpenAPI spec with schemathesis: no input may cause a 5xx.

Bounded: 25 examples per operation (a few hundred requests in all), in-process over ASGI.
Driven through hypothesis directly (schemathesis' own pytest plugin does not load under this
pytest version)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tradescreen.api import create_app
from tradescreen.api.config import ApiConfig

EXAMPLES = 25


def test_no_server_errors(api_settings, screener):
    # No keys needed in-process, so generated requests reach the routes' own validation.
    app = create_app(api_settings, screener=screener, config=ApiConfig(require_keys=False, rate=0))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        run()
