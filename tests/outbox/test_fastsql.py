"""The hot-path INSERT stores exactly what the ORM would (UUIDs, aware times, JSON)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from monopilot.integration_logs.models import IntegrationLog
from monopilot.integration_logs.services import LogEntry
from monopilot.outbox import fastsql


def test_rows_round_trip_like_the_orm(org) -> None:
    when = timezone.now() - timedelta(minutes=3)
    hook = uuid.uuid4()
    row = LogEntry(
        org_id=org.pk,
        integration_type="webhook",
        direction="outbound",
        status="success",
        request_body={"amount": Decimal("1.50"), "password": "hunter2", "n": [1, 2]},
        webhook_id=hook,
        metadata={"delivery_id": "d-1"},
        timestamp=when,
        duration_ms=12,
    ).to_row()
    fastsql.insert(IntegrationLog, [row])
    stored = IntegrationLog.objects.get(webhook_id=hook)
    assert stored.id == row.id and stored.org_id == org.pk
    assert stored.timestamp == when
    assert stored.request_body == {"amount": "1.50", "password": "***REDACTED***", "n": [1, 2]}
    assert stored.metadata == {"delivery_id": "d-1"} and stored.response_body is None
    assert stored.duration_ms == 12


def test_fast_uuid4_is_a_version_4_uuid() -> None:
    ids = {fastsql.fast_uuid4() for _ in range(1000)}
    assert len(ids) == 1000 and all(i.version == 4 for i in ids)
