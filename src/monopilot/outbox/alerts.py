"""Operational alerts: one open alert per (code, target); each also writes a log row.

The console (a later issue) shows open alerts; notification channels (email, Slack) can
hang off `raise_alert` without touching the callers.
"""

from __future__ import annotations

import logging
import uuid

from django.utils import timezone

from monopilot.integration_logs.services import log_integration
from monopilot.outbox.models import Alert, Message, Status

logger = logging.getLogger(__name__)

DLQ_ALERT_THRESHOLD = 50


def raise_alert(
    *,
    org_id: uuid.UUID,
    code: str,
    message: str,
    target_kind: str = "",
    target_id: uuid.UUID | None = None,
    log_type: str = "webhook",
) -> Alert | None:
    """Open an alert unless the same one is already open; returns the new alert or None."""
    open_alerts = Alert.objects.filter(
        org_id=org_id, code=code, target_id=target_id, resolved_at__isnull=True
    )
    if open_alerts.exists():
        return None
    alert = Alert.objects.create(
        org_id=org_id, code=code, message=message, target_kind=target_kind, target_id=target_id
    )
    logger.warning("alert %s for org %s: %s", code, org_id, message)
    log_integration(
        org=org_id,
        integration_type=log_type,
        direction="outbound",
        status="warning",
        event_type=f"alert.{code}",
        error_message=message,
        webhook_id=target_id if target_kind == "webhook" else None,
        metadata={"alert_id": str(alert.id)},
    )
    return alert


def resolve_alerts(*, org_id: uuid.UUID, target_id: uuid.UUID, codes: list[str]) -> None:
    Alert.objects.filter(
        org_id=org_id, target_id=target_id, code__in=codes, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())


def check_dead_letter_threshold(*, org_id: uuid.UUID) -> None:
    count = Message.objects.filter(org_id=org_id, status=Status.DEAD).count()
    if count > DLQ_ALERT_THRESHOLD:
        raise_alert(
            org_id=org_id,
            code="dlq_over_threshold",
            message=f"The dead-letter queue holds {count} items (alert above "
            f"{DLQ_ALERT_THRESHOLD}).",
        )
    else:
        Alert.objects.filter(
            org_id=org_id, code="dlq_over_threshold", resolved_at__isnull=True
        ).update(resolved_at=timezone.now())
