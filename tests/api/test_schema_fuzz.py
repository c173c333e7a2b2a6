"""schemathesis over the in-process app: no 5xx, every status documented, responses conform."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from api.main import create_app
from api.settings import DEFAULT_MODEL_PATH, Settings

schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(model_path=DEFAULT_MODEL_PATH))
).include(path_regex="^/(health|ready|v1/assessments)")


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case[Any]) -> None:
    # Cross-field rules (age from birth date, date order) are beyond JSON Schema, so a
    # schema-valid record may rightly get 422: positive_data_acceptance cannot hold.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
