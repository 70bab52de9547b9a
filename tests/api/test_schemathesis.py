"""Schemathesis against the generated OpenAPI document, on a seeded database.

Every operation is fuzzed in-process through Django's WSGI app (real routing, gateway,
auth, limits, logging). Checks: no 5xx, documented status codes and content types, and
every response body valid against its declared schema. The example count fits CI; set
MONOPILOT_SCHEMATHESIS_EXAMPLES for a longer local run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from monopilot.api.testing import seed_erp
from monopilot.apikeys.ratelimit import Decision, LocalLimiter, set_limiter, unlimited
from monopilot.apikeys.tiers import TierLimits
from monopilot.tenancy.models import Organization

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = int(os.environ.get("MONOPILOT_SCHEMATHESIS_EXAMPLES", "12"))


class _NoLimits(LocalLimiter):
    def hit(self, ident: str, limits: TierLimits, now: float | None = None) -> Decision:
        return unlimited(limits, now)


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]


OTHER_TEAMS = ("/api/v1/webhooks", "/api/v1/events", "/api/v1/retry-queue", "/api/v1/dead-letters")


def _fuzz(org: Organization, other_org: Organization, make_key: Any, *, ours: bool) -> list[str]:
    seed_erp(org)
    seed_erp(other_org, suffix="-X")
    set_limiter(_NoLimits())  # fuzzing must not be cut short by 429s
    _, key = make_key(org)
    # Like Django's test client: the WSGI handler must not close the test's connection
    # (PostgreSQL would lose the test transaction at the end of the first request).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        return _run(org, key, ours=ours)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _run(org: Organization, key: str, *, ours: bool) -> list[str]:
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    checks = _checks()
    failures: list[str] = []
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if op.path.startswith(OTHER_TEAMS) != ours
    ]
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except Exception as exc:  # collect all, report together
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert operations
    return failures


def test_api_conforms_to_its_openapi_document(
    org: Organization, other_org: Organization, make_key: Any
) -> None:
    """Every operation of the resource routers (this issue)."""
    failures = _fuzz(org, other_org, make_key, ours=True)
    assert not failures, "\n\n".join(failures)


def test_mounted_routers_of_other_apps_conform(
    org: Organization, other_org: Organization, make_key: Any
) -> None:
    """Webhooks, events, retry queue, dead letters, exports/imports and EDI."""
    failures = _fuzz(org, other_org, make_key, ours=False)
    assert not failures, "\n\n".join(failures)
