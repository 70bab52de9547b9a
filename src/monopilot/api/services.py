"""Housekeeping of the API's own tables."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from monopilot.api.models import IdempotencyRecord

IDEMPOTENCY_TTL = timedelta(hours=24)


def purge_idempotency_records(*, now: datetime | None = None) -> int:
    """Forget Idempotency-Keys older than 24 h (after that a reused key is a new request)."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
