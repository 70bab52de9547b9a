"""Writing and purging the integration log."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monopilot.core.rawjson import RawJSON
from monopilot.integration_logs.masking import mask, mask_text
from monopilot.integration_logs.models import IntegrationLog, PurgeGate
from monopilot.integration_logs.writer import buffered_writer
from monopilot.tenancy.models import Organization

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 64_000


@dataclass
class LogEntry:
    org_id: UUID
    integration_type: str
    direction: str
    status: str
    event_type: str = ""
    http_status: int | None = None
    request_body: Any = None
    response_body: Any = None
    error_message: str = ""
    api_key_id: UUID | None = None
    webhook_id: UUID | None = None
    external_system: str = ""
    external_id: str = ""
    correlation_id: str = ""
    retry_count: int = 0
    duration_ms: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    timestamp: datetime | None = None

    def to_row(self) -> IntegrationLog:
        values = self.values()
        for name in ("request_body", "response_body"):
            if isinstance(values[name], RawJSON):  # a model instance encodes values itself
                values[name] = json.loads(values[name])
        return IntegrationLog(**values)

    def values(self) -> dict[str, Any]:
        """The row's column values (attribute names), masked and clipped."""
        return {
            "org_id": self.org_id,
            "timestamp": self.timestamp or timezone.now(),
            "integration_type": self.integration_type,
            "direction": self.direction,
            "status": self.status,
            "event_type": self.event_type[:100],
            "http_status": self.http_status,
            "request_body": _masked_body(self.request_body),
            "response_body": _masked_body(self.response_body),
            "error_message": mask_text(self.error_message or "")[:4000],
            "api_key_id": self.api_key_id,
            "webhook_id": self.webhook_id,
            "external_system": self.external_system[:100],
            "external_id": self.external_id[:200],
            "correlation_id": self.correlation_id[:64],
            "retry_count": self.retry_count,
            "duration_ms": self.duration_ms,
            "metadata": mask(self.metadata),
        }


def _masked_body(body: Any) -> Any:
    if isinstance(body, RawJSON):
        return body  # made by masking.mask_json_text: valid JSON with nothing to mask
    return _clip(mask(body))


def _clip(body: Any) -> Any:
    """Huge bodies are cut (with a marker) so one message cannot bloat the log."""
    if isinstance(body, str) and len(body) > MAX_BODY_CHARS:
        return body[:MAX_BODY_CHARS] + f"… [{len(body) - MAX_BODY_CHARS} more characters]"
    return body


def log_integration(
    *, org: Organization | UUID, defer: bool = False, **fields: Any
) -> IntegrationLog | None:
    """Append one row. Secrets are masked before anything is stored.

    `defer=True` hands the entry to the background writer, which masks, builds and inserts
    it off the request path (the API answers without waiting); otherwise the row is written
    now, inside the caller's transaction, so it commits or rolls back with the work it
    describes.
    """
    org_id = org.pk if isinstance(org, Organization) else org
    entry = LogEntry(org_id=org_id, **fields)
    if defer and settings.MONOPILOT_LOG_WRITER == "buffered":
        buffered_writer().submit(entry)
        return None
    row = entry.to_row()
    row.save(force_insert=True)
    return row


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete rows older than each organisation's retention (default 90 days)."""
    now = now or timezone.now()
    total = 0
    for org in Organization.objects.only("id", "log_retention_days"):
        cutoff = now - timedelta(days=org.log_retention_days)
        total += _purge_before(org_id=org.pk, cutoff=cutoff)
    logger.info("integration log purge removed %s rows", total)
    return total


def _purge_before(*, org_id: UUID, cutoff: datetime) -> int:
    with transaction.atomic():
        PurgeGate.objects.update_or_create(id=1, defaults={"is_open": True})
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM integration_logs WHERE org_id = %s AND timestamp < %s",
                [org_id.hex if connection.vendor == "sqlite" else org_id, cutoff],
            )
            deleted = cursor.rowcount
        PurgeGate.objects.filter(id=1).update(is_open=False)
    return max(deleted, 0)
