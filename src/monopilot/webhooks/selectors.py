"""Reads for webhook endpoints and their deliveries (API and console)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Q, QuerySet

from monopilot.outbox.models import Attempt, Message
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import get_scoped, scoped
from monopilot.webhooks.models import Endpoint

KIND = "webhook"
DELIVERIES_DEFAULT = 100


def endpoint_list(*, org: Organization, status: str | None = None) -> QuerySet[Endpoint]:
    qs = scoped(Endpoint, org).filter(deleted_at__isnull=True).order_by("name")
    return qs.filter(status=status) if status else qs


def deliveries(
    *, endpoint: Endpoint, status: str | None = None, limit: int = DELIVERIES_DEFAULT
) -> list[Message]:
    qs = scoped(Message, endpoint.org).filter(kind=KIND, target_id=endpoint.id)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-created_at")[: max(1, min(limit, 1000))])


def delivery_get(*, endpoint: Endpoint, message_id: uuid.UUID | str) -> Message:
    return get_scoped(Message, endpoint.org, id=message_id, kind=KIND, target_id=endpoint.id)


def attempts(*, message: Message) -> list[Attempt]:
    return list(Attempt.objects.filter(message=message).order_by("number", "started_at"))


def pending_by_endpoint(*, org: Organization) -> dict[uuid.UUID, int]:
    rows = (
        scoped(Message, org)
        .filter(kind=KIND, status__in=["pending", "held"])
        .values("target_id")
        .annotate(n=Count("id", filter=Q()))
    )
    return {row["target_id"]: row["n"] for row in rows}


def delivery_summary(message: Message) -> dict[str, Any]:
    """One row of the deliveries tab: attempts "1 of 3" counts this cycle's budget."""
    return {
        "id": str(message.id),
        "webhook_id": message.message_id,
        "event_id": str(message.event_id) if message.event_id else None,
        "event_type": message.event_type,
        "status": message.status,
        "attempts": message.attempts,
        "attempts_label": f"{message.cycle_attempts} of {message.max_retries + 1}",
        "http_status": message.last_http_status,
        "error": message.last_error or message.dead_reason,
        "created_at": message.created_at,
        "last_attempt_at": message.last_attempt_at,
        "next_attempt_at": message.next_attempt_at if message.status == "pending" else None,
        "delivered_at": message.delivered_at,
    }
