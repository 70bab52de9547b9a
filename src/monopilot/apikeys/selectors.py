"""Reads for the console and the CLI: keys masked, usage per key."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import QuerySet, Sum
from django.utils import timezone

from monopilot.apikeys.models import ApiKey, ApiKeyUsage
from monopilot.apikeys.tiers import limits_for
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import get_scoped, scoped

EXPIRY_WARNING_DAYS = 7


def api_key_list(*, org: Organization, include_revoked: bool = True) -> QuerySet[ApiKey]:
    keys = scoped(ApiKey, org).select_related("org", "created_by", "revoked_by")
    return keys if include_revoked else keys.exclude(status="revoked")


def api_key_get(*, org: Organization, key_id: UUID | str) -> ApiKey:
    """Another organisation's key raises Http404, exactly like a missing one."""
    return get_scoped(ApiKey, org, pk=key_id)


def expiry_warning(key: ApiKey, now: datetime | None = None) -> str:
    """'Expires in N days' inside the 7-day window, 'Expired' after, '' otherwise."""
    if key.expires_at is None:
        return ""
    left = key.expires_at - (now or timezone.now())
    if left <= timedelta(0):
        return "Expired"
    if left <= timedelta(days=EXPIRY_WARNING_DAYS):
        days = math.ceil(left.total_seconds() / 86_400)
        return f"Expires in {days} day{'s' if days != 1 else ''}"
    return ""


def tier_label(key: ApiKey) -> str:
    return limits_for(key.effective_tier()).label


@dataclass(frozen=True)
class UsageStats:
    total_requests: int
    last_used_at: datetime | None
    last_used_ip: str | None
    avg_requests_per_day: float
    created_at: datetime
    daily: list[tuple[date, int]]


def api_key_usage(*, key: ApiKey, days: int = 30) -> UsageStats:
    since = timezone.now().date() - timedelta(days=days - 1)
    rows = ApiKeyUsage.objects.filter(key=key, day__gte=since).order_by("day")
    total = ApiKeyUsage.objects.filter(key=key).aggregate(n=Sum("count"))["n"] or 0
    age_days = max(1, (timezone.now() - key.created_at).days + 1)
    return UsageStats(
        total_requests=total,
        last_used_at=key.last_used_at,
        last_used_ip=key.last_used_ip,
        avg_requests_per_day=round(total / age_days, 1),
        created_at=key.created_at,
        daily=[(r.day, r.count) for r in rows],
    )


def masked_row(key: ApiKey) -> dict[str, Any]:
    """One row of the key list (AC-2): never the key, only its masked prefix."""
    return {
        "id": str(key.pk),
        "name": key.name,
        "key": key.masked_key,
        "scopes": list(key.scopes),
        "scope_count": len(key.scopes),
        "rate_limit": tier_label(key),
        "status": key.status,
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        "expiry_warning": expiry_warning(key),
        "allowed_ips": list(key.allowed_ips),
        "last_used_at": key.last_used_at.isoformat() if key.last_used_at else None,
        "created_at": key.created_at.isoformat(),
    }
