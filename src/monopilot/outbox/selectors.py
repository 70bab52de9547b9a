"""Reads on the outbox: the retry queue, dead letters, alerts (API and console)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import QuerySet

from monopilot.outbox.models import Alert, Message, Status
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import get_scoped, scoped


def retry_queue(
    *, org: Organization, kind: str | None = None, target_id: uuid.UUID | None = None
) -> QuerySet[Message]:
    """Pending messages that failed at least once, soonest next attempt first."""
    qs = scoped(Message, org).filter(status=Status.PENDING, attempts__gt=0)
    if kind:
        qs = qs.filter(kind=kind)
    if target_id:
        qs = qs.filter(target_id=target_id)
    return qs.order_by("next_attempt_at", "seq")


def dead_letters(
    *,
    org: Organization,
    kind: str | None = None,
    target_id: uuid.UUID | None = None,
    event_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Message]:
    qs = scoped(Message, org).filter(status=Status.DEAD)
    if kind:
        qs = qs.filter(kind=kind)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if since:
        qs = qs.filter(dead_at__gte=since)
    if until:
        qs = qs.filter(dead_at__lt=until)
    return qs.order_by("-dead_at")


def dead_letter_get(*, org: Organization, message_id: uuid.UUID | str) -> Message:
    return get_scoped(Message, org, id=message_id, status=Status.DEAD)


def open_alerts(*, org: Organization) -> QuerySet[Alert]:
    return scoped(Alert, org).filter(resolved_at__isnull=True).order_by("-created_at")
