"""Writes on webhook endpoints, the event fan-out and the test send.

Callers: the API (webhooks/api.py) and the console. All keyword-only; errors are
`ServiceError` with the PRD's texts.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from monopilot.core import crypto
from monopilot.events.models import Event
from monopilot.outbox import services as outbox
from monopilot.outbox.errors import ServiceError
from monopilot.outbox.models import Message, Status
from monopilot.tenancy.models import Organization, User
from monopilot.tenancy.scoping import get_scoped, scoped
from monopilot.webhooks import signing
from monopilot.webhooks import validation as v
from monopilot.webhooks.models import Endpoint, EndpointStatus, Ordering

ROTATION_OVERLAP = timedelta(hours=24)
KIND = "webhook"


# --- reading helpers used by services, selectors and the transport -----------------------


def endpoint_headers(endpoint: Endpoint) -> dict[str, str]:
    if not endpoint.headers_encrypted:
        return {}
    headers: dict[str, str] = json.loads(crypto.decrypt(endpoint.headers_encrypted))
    return headers


def endpoint_keys(endpoint: Endpoint, *, now: Any = None) -> list[bytes]:
    """HMAC keys to sign with: the current secret, plus the previous one while it overlaps."""
    now = now or timezone.now()
    keys = [signing.key_bytes(crypto.decrypt(endpoint.secret_encrypted))]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires and expires > now:
        keys.append(signing.key_bytes(crypto.decrypt(endpoint.previous_secret_encrypted)))
    return keys


def get_endpoint(*, org: Organization, endpoint_id: uuid.UUID | str) -> Endpoint:
    return get_scoped(Endpoint, org, id=endpoint_id, deleted_at__isnull=True)


# --- create / update ----------------------------------------------------------------------


def endpoint_create(
    *,
    org: Organization,
    name: str,
    url: str,
    event_types: list[str],
    by: User | None = None,
    description: str = "",
    payload_filter: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    retry_policy: str = "exponential",
    max_retries: int | None = None,
    rate_limit: int | None = None,
    max_concurrency: int = 20,
    ordering: str = Ordering.NONE,
    timeout_seconds: int | None = None,
) -> tuple[Endpoint, str]:
    """Create an endpoint; returns it with its secret (`whsec_…`), which is shown only once."""
    policy_name, retries = v.clean_retry(retry_policy, max_retries)
    v.clean_limits(rate_limit, max_concurrency, timeout_seconds, ordering)
    secret = signing.new_secret()
    endpoint = Endpoint(
        org=org,
        name=v.clean_name(name),
        description=(description or "")[:500],
        url=v.clean_url(url),
        event_types=v.clean_event_types(event_types),
        payload_filter=v.clean_filter(payload_filter),
        headers_encrypted=_encrypt_headers(v.clean_headers(headers)),
        retry_policy=policy_name,
        max_retries=retries,
        rate_limit=rate_limit,
        max_concurrency=max_concurrency,
        ordering=ordering,
        timeout_seconds=timeout_seconds,
        secret_encrypted=crypto.encrypt(secret),
        created_by=by,
    )
    _save_unique(endpoint, force_insert=True)
    return endpoint, secret


def _encrypt_headers(headers: dict[str, str]) -> str:
    return crypto.encrypt(json.dumps(headers)) if headers else ""


def _save_unique(endpoint: Endpoint, **kwargs: Any) -> None:
    if (
        scoped(Endpoint, endpoint.org)
        .filter(name=endpoint.name, deleted_at__isnull=True)
        .exclude(id=endpoint.id)
        .exists()
    ):
        raise _name_taken(endpoint.name)
    try:
        with transaction.atomic():
            endpoint.save(**kwargs)
    except IntegrityError as exc:
        raise _name_taken(endpoint.name) from exc


def _name_taken(name: str) -> ServiceError:
    return ServiceError(
        409, "name_taken", f"A webhook named {name!r} already exists", {"field": "name"}
    )


UPDATABLE = (
    "name",
    "description",
    "url",
    "event_types",
    "payload_filter",
    "headers",
    "retry_policy",
    "max_retries",
    "rate_limit",
    "max_concurrency",
    "ordering",
    "timeout_seconds",
)


def endpoint_update(*, endpoint: Endpoint, **changes: Any) -> Endpoint:
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise v.invalid(sorted(unknown)[0], "This field cannot be changed")
    if "name" in changes:
        endpoint.name = v.clean_name(changes["name"])
    if "description" in changes:
        endpoint.description = (changes["description"] or "")[:500]
    if "url" in changes:
        endpoint.url = v.clean_url(changes["url"])
    if "event_types" in changes:
        endpoint.event_types = v.clean_event_types(changes["event_types"])
    if "payload_filter" in changes:
        endpoint.payload_filter = v.clean_filter(changes["payload_filter"])
    if "headers" in changes:
        endpoint.headers_encrypted = _encrypt_headers(v.clean_headers(changes["headers"]))
    if "retry_policy" in changes or "max_retries" in changes:
        endpoint.retry_policy, endpoint.max_retries = v.clean_retry(
            changes.get("retry_policy", endpoint.retry_policy),
            changes.get(
                "max_retries", endpoint.max_retries if "retry_policy" not in changes else None
            ),
        )
    for name in ("rate_limit", "max_concurrency", "ordering", "timeout_seconds"):
        if name in changes:
            setattr(endpoint, name, changes[name])
    v.clean_limits(
        endpoint.rate_limit, endpoint.max_concurrency, endpoint.timeout_seconds, endpoint.ordering
    )
    _save_unique(endpoint)
    return endpoint


# --- lifecycle ----------------------------------------------------------------------------


def endpoint_pause(*, endpoint: Endpoint) -> Endpoint:
    """Deliveries stop; new events still queue (held) and go out on resume."""
    with transaction.atomic():
        endpoint.status = EndpointStatus.PAUSED
        endpoint.save(update_fields=["status", "updated_at"])
        outbox.hold_target(kind=KIND, target_id=endpoint.id)
    return endpoint


def endpoint_resume(*, endpoint: Endpoint) -> Endpoint:
    """Resume a paused endpoint, or re-enable a disabled one (its failure clock restarts)."""
    with transaction.atomic():
        endpoint.status = EndpointStatus.ACTIVE
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
        endpoint.save(update_fields=["status", "disabled_reason", "failing_since", "updated_at"])
        outbox.release_target(kind=KIND, target_id=endpoint.id)
    return endpoint


def endpoint_disable(*, endpoint: Endpoint, reason: str) -> None:
    """Stop sending (410 Gone, 5 days of failures); waiting messages become dead letters."""
    endpoint.status = EndpointStatus.DISABLED
    endpoint.disabled_reason = reason[:500]
    endpoint.save(update_fields=["status", "disabled_reason", "updated_at"])
    outbox.kill_target_queue(
        kind=KIND, target_id=endpoint.id, reason=f"Endpoint disabled: {reason}"
    )


def endpoint_rotate_secret(*, endpoint: Endpoint) -> str:
    """New secret now; the old one keeps signing (second signature) for 24 h."""
    secret = signing.new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret_encrypted = crypto.encrypt(secret)
    endpoint.save(
        update_fields=[
            "previous_secret_encrypted",
            "previous_secret_expires_at",
            "secret_encrypted",
            "updated_at",
        ]
    )
    return secret


def pending_count(endpoint: Endpoint) -> int:
    return Message.objects.filter(
        kind=KIND, target_id=endpoint.id, status__in=[Status.PENDING, Status.HELD]
    ).count()


def endpoint_delete(*, endpoint: Endpoint) -> None:
    """Soft delete; past deliveries stay. Refused while deliveries are pending."""
    pending = pending_count(endpoint)
    if pending:
        noun = "delivery" if pending == 1 else "deliveries"
        raise ServiceError(
            409,
            "deliveries_pending",
            f"{pending} pending {noun} - pause instead?",
            {"pending": pending},
        )
    endpoint.deleted_at = timezone.now()
    endpoint.save(update_fields=["deleted_at", "updated_at"])


def delivery_replay(*, endpoint: Endpoint, message_id: uuid.UUID | str, by: str = "") -> int:
    qs = Message.objects.filter(org=endpoint.org, kind=KIND, target_id=endpoint.id)
    count = outbox.replay(org=endpoint.org, ids=[message_id], qs=qs, by=by)
    if not count:
        raise ServiceError(
            404, "not_found", "Delivery not found or still pending (only finished ones replay)"
        )
    return count


# --- fan-out ------------------------------------------------------------------------------


def matches(endpoint: Endpoint, event: Event) -> bool:
    if event.type not in endpoint.event_types:
        return False
    for path, expected in (endpoint.payload_filter or {}).items():
        actual = _dig(event.envelope(), path)
        allowed = expected if isinstance(expected, list) else [expected]
        if actual not in allowed:
            return False
    return True


def _dig(document: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return None
        document = document[part]
    return document


def serialize(envelope: dict[str, Any]) -> bytes:
    """The one serialisation of a payload: these bytes are signed and sent, every attempt."""
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def fan_out(event: Event) -> None:
    """events.subscribe() hook: inside the publishing transaction, one message per
    subscribed endpoint (paused endpoints: held until resumed; disabled: none)."""
    endpoints = [
        ep
        for ep in Endpoint.objects.filter(
            org_id=event.org_id,
            deleted_at__isnull=True,
            status__in=[EndpointStatus.ACTIVE, EndpointStatus.PAUSED],
        )
        if matches(ep, event)
    ]
    if not endpoints:
        return
    body = serialize(event.envelope())
    outbox.enqueue_many(
        [
            outbox.NewMessage(
                org_id=event.org_id,
                kind=KIND,
                target_id=ep.id,
                target_label=ep.name,
                payload=body,
                event_id=event.id,
                event_type=event.type,
                correlation_id=event.correlation_id,
                ordering_key=_ordering_key(ep, event),
                retry_policy=ep.retry_policy,
                max_retries=ep.max_retries,
                held=ep.status == EndpointStatus.PAUSED,
            )
            for ep in endpoints
        ]
    )


def _ordering_key(endpoint: Endpoint, event: Event) -> str:
    if endpoint.ordering == Ordering.ENDPOINT:
        return f"wh:{endpoint.id.hex}"
    if endpoint.ordering == Ordering.KEY and event.subject_id:
        return f"wh:{endpoint.id.hex}:{event.subject_type}:{event.subject_id}"
    return ""


# --- test send ----------------------------------------------------------------------------


@dataclass
class TestResult:
    ok: bool
    http_status: int | None
    duration_ms: int | None
    response_body: str
    error: str
    delivery_id: str


def endpoint_test(*, endpoint: Endpoint) -> TestResult:
    """Send the PRD's sample payload now and report status, time and body (not queued)."""
    from monopilot.webhooks.transport import send_test

    return send_test(endpoint)
