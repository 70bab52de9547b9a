"""Input rules for endpoints, with the PRD's error texts; each error names its field."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from monopilot.core import http
from monopilot.events import catalogue
from monopilot.outbox import policy
from monopilot.outbox.errors import ServiceError
from monopilot.webhooks.models import Ordering

RESERVED_HEADERS = frozenset(
    {
        "content-type",
        "x-monopilot-signature",
        "x-monopilot-event",
        "x-monopilot-delivery-id",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
    }
)
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
RETRY_POLICIES = ("exponential", "immediate", "manual")


def invalid(field: str, message: str, code: str = "validation_error") -> ServiceError:
    return ServiceError(422, code, message, {"field": field})


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise invalid("name", "Name is required")
    if len(name) > 100:
        raise invalid("name", "Name must be at most 100 characters")
    return name


def clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        http.check_url(url)
    except http.UnsafeURLError as exc:
        raise invalid("url", str(exc)) from exc
    if len(url) > 2000:
        raise invalid("url", "URL must be at most 2000 characters")
    return url


def clean_event_types(types: list[str] | None) -> list[str]:
    if not types:
        raise invalid("event_types", "At least one event subscription required")
    known = set(catalogue.names())
    cleaned = list(dict.fromkeys(t.strip() for t in types))
    for name in cleaned:
        if name not in known:
            raise invalid("event_types", f"Unknown event type {name!r}")
    return cleaned


def clean_filter(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """{"data.status": "shipped", "data.warehouse": ["W1", "W2"]}: every path must match."""
    if not value:
        return None
    if not isinstance(value, dict):
        raise invalid("payload_filter", "Payload filter must be an object of path: value")
    for path, expected in value.items():
        if not isinstance(path, str) or not path or len(path) > 200:
            raise invalid("payload_filter", f"Invalid filter path {path!r}")
        values = expected if isinstance(expected, list) else [expected]
        if not all(isinstance(v, str | int | float | bool) or v is None for v in values):
            raise invalid("payload_filter", f"Filter {path!r} must compare with plain values")
    return value


def clean_headers(headers: dict[str, str] | None) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if name.strip().lower() in RESERVED_HEADERS:
            raise invalid(f"headers.{name}", "Header is reserved and cannot be customized")
        if not HEADER_NAME.match(name):
            raise invalid(f"headers.{name}", "Invalid header name")
        if not isinstance(value, str) or "\r" in value or "\n" in value or len(value) > 4000:
            raise invalid(f"headers.{name}", "Header value must be one line of text")
        cleaned[name] = value
    if len(cleaned) > 20:
        raise invalid("headers", "At most 20 custom headers")
    return cleaned


def clean_retry(policy_name: str, max_retries: int | None) -> tuple[str, int]:
    if policy_name not in RETRY_POLICIES:
        raise invalid("retry_policy", "Retry policy must be immediate, exponential or manual")
    if max_retries is None:
        return policy_name, policy.default_max_retries(policy_name)
    if not 0 <= max_retries <= policy.MAX_RETRIES_LIMIT:
        raise invalid("max_retries", "Max retries must be between 0 and 10")
    return policy_name, max_retries


def clean_limits(
    rate_limit: int | None, max_concurrency: int, timeout_seconds: int | None, ordering: str
) -> None:
    if rate_limit is not None and not 1 <= rate_limit <= 10_000:
        raise invalid("rate_limit", "Rate limit must be between 1 and 10000 deliveries/s")
    if not 1 <= max_concurrency <= 200:
        raise invalid("max_concurrency", "Concurrency must be between 1 and 200")
    ceiling = int(getattr(settings, "MONOPILOT_HTTP_TIMEOUT", 30))
    if timeout_seconds is not None and not 1 <= timeout_seconds <= ceiling:
        raise invalid("timeout_seconds", f"Timeout must be between 1 and {ceiling} seconds")
    if ordering not in Ordering.values:
        raise invalid("ordering", "Ordering must be none, endpoint or key")
