"""Property-based fuzzing of every HTTP operation in the OpenAPI schema (schemathesis and
Hypothesis) against the real stack: whatever arrives, the answer is never a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case

from devstack.stack import Stack

pytestmark = pytest.mark.e2e
STREAMS = ["/api/chat/events", "/api/advisor/events"]  # server-sent events never end by design
EXAMPLES_PER_OPERATION = 40
# The fuzzer is one stranger behind the proxy (uvicorn trusts X-Forwarded-For from 127.0.0.1): its
# hundreds of bad log-ins count against that address, not against every later test's 127.0.0.1.
FUZZER = {"X-Forwarded-For": "192.0.2.66"}


def test_no_generated_request_gives_a_server_error(stack: Stack, advisor: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_url(f"{stack.api.base_url}/openapi.json").exclude(path=STREAMS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def call(case: Case) -> None:
            # chat operations need a conversation's token, advisor operations an advisor's
            headers = stack.auth("fuzz") if case.path.startswith("/api/chat") else advisor
            response = case.call(headers={**headers, **FUZZER}, timeout=30)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")

        call()
    assert failures == []
