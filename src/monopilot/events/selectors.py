from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from monopilot.events.models import Event
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped


def recent_events(
    *, org: Organization, type: str | None = None, since: datetime | None = None
) -> QuerySet[Event]:
    qs = scoped(Event, org).order_by("-occurred_at")
    if type:
        qs = qs.filter(type=type)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    return qs
