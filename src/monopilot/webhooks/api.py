"""/api/v1/webhooks and /api/v1/events (scope webhook:manage). Thin: parse, call, render.

Mounted by api/main.py: `router` at /webhooks, `events_router` at /events.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from monopilot.api.context import require_scope
from monopilot.api.errors import ApiError
from monopilot.events import catalogue
from monopilot.events.selectors import recent_events
from monopilot.outbox.errors import ServiceError
from monopilot.tenancy.models import Organization
from monopilot.webhooks import selectors, services
from monopilot.webhooks.models import Endpoint

SCOPE = "webhook:manage"
router = Router(tags=["webhooks"])
events_router = Router(tags=["events"])


@contextmanager
def service_errors() -> Iterator[None]:
    try:
        yield
    except ServiceError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.details) from exc
    except Http404 as exc:
        raise ApiError(404, "not_found", "Webhook not found") from exc


def _org(request: HttpRequest) -> Organization:
    return require_scope(request, SCOPE).org


def _endpoint(request: HttpRequest, endpoint_id: uuid.UUID) -> Endpoint:
    with service_errors():
        return services.get_endpoint(org=_org(request), endpoint_id=endpoint_id)


# --- schemas ------------------------------------------------------------------------------


RATE_LIMIT_HELP = (
    "Deliveries per second to this endpoint (1-10000), for the endpoint as a whole across "
    "all workers; null: no limit."
)
CONCURRENCY_HELP = "Requests in flight at once to this endpoint (1-200), across all workers."
ORDERING_HELP = (
    "none: fastest; endpoint: FIFO for the whole endpoint; key: FIFO per event subject "
    "(e.g. per order). A failing head of line holds its line until delivered or dead."
)
TIMEOUT_HELP = (
    "Seconds to wait for an answer, from 1 up to the server default "
    "(MONOPILOT_HTTP_TIMEOUT, 30); null: that default."
)


class EndpointIn(Schema):
    name: str
    url: str
    event_types: list[str]
    description: str = ""
    payload_filter: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    retry_policy: str = "exponential"
    max_retries: int | None = Field(None, ge=0, le=10)
    rate_limit: int | None = Field(None, description=RATE_LIMIT_HELP)
    max_concurrency: int = Field(20, description=CONCURRENCY_HELP)
    ordering: str = Field("none", description=ORDERING_HELP)
    timeout_seconds: int | None = Field(None, description=TIMEOUT_HELP)


class EndpointPatch(Schema):
    name: str | None = None
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    payload_filter: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    retry_policy: str | None = None
    max_retries: int | None = Field(None, ge=0, le=10)
    rate_limit: int | None = Field(None, description=RATE_LIMIT_HELP)
    max_concurrency: int | None = Field(None, description=CONCURRENCY_HELP)
    ordering: str | None = Field(None, description=ORDERING_HELP)
    timeout_seconds: int | None = Field(None, description=TIMEOUT_HELP)


class EndpointOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    url: str
    event_types: list[str]
    event_count: int
    payload_filter: dict[str, Any] | None
    headers: dict[str, str]
    status: str
    disabled_reason: str
    retry_policy: str
    max_retries: int
    rate_limit: int | None
    max_concurrency: int
    ordering: str
    timeout_seconds: int | None
    success_rate: str
    total_deliveries: int
    failed_deliveries: int
    last_triggered_at: datetime | None
    failing_since: datetime | None
    secret_rotating_until: datetime | None
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str


class SecretOut(Schema):
    secret: str
    previous_secret_valid_until: datetime | None


class TestOut(Schema):
    ok: bool
    http_status: int | None
    duration_ms: int | None
    response_body: str
    error: str
    delivery_id: str


class AttemptOut(Schema):
    id: uuid.UUID
    number: int
    started_at: datetime
    duration_ms: int | None
    ok: bool
    http_status: int | None
    response_body: str
    error: str
    request_headers: dict[str, Any]


class DeliveryOut(Schema):
    id: str
    webhook_id: str
    event_id: str | None
    event_type: str
    status: str
    attempts: int
    attempts_label: str
    http_status: int | None
    error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveryDetailOut(DeliveryOut):
    payload: str
    attempt_list: list[AttemptOut]


class ReplayOut(Schema):
    replayed: int


def _out(endpoint: Endpoint, **extra: Any) -> dict[str, Any]:
    headers = services.endpoint_headers(endpoint)
    return {
        **{f: getattr(endpoint, f) for f in _PLAIN_FIELDS},
        "event_count": len(endpoint.event_types),
        "headers": {name: "***" for name in headers},
        "success_rate": endpoint.success_rate,
        "secret_rotating_until": endpoint.previous_secret_expires_at,
        **extra,
    }


_PLAIN_FIELDS = (
    "id", "name", "description", "url", "event_types", "payload_filter", "status",
    "disabled_reason", "retry_policy", "max_retries", "rate_limit", "max_concurrency",
    "ordering", "timeout_seconds", "total_deliveries", "failed_deliveries",
    "last_triggered_at", "failing_since", "created_at",
)  # fmt: skip


# --- endpoints ----------------------------------------------------------------------------


@router.post("", response={201: EndpointCreated})
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status:
    org = _org(request)
    with service_errors():
        endpoint, secret = services.endpoint_create(org=org, **payload.dict())
    return Status(201, _out(endpoint, secret=secret))


@router.get("", response=list[EndpointOut])
def list_endpoints(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    return [_out(e) for e in selectors.endpoint_list(org=_org(request), status=status)]


@router.get("/{endpoint_id}", response=EndpointOut)
def get_endpoint(request: HttpRequest, endpoint_id: uuid.UUID) -> dict[str, Any]:
    return _out(_endpoint(request, endpoint_id))


@router.patch("/{endpoint_id}", response=EndpointOut)
def update_endpoint(
    request: HttpRequest, endpoint_id: uuid.UUID, payload: EndpointPatch
) -> dict[str, Any]:
    endpoint = _endpoint(request, endpoint_id)
    with service_errors():
        services.endpoint_update(endpoint=endpoint, **payload.dict(exclude_unset=True))
    return _out(endpoint)


def _action(fn: Callable[..., Any]) -> Callable[[HttpRequest, uuid.UUID], dict[str, Any]]:
    def view(request: HttpRequest, endpoint_id: uuid.UUID) -> dict[str, Any]:
        endpoint = _endpoint(request, endpoint_id)
        with service_errors():
            fn(endpoint=endpoint)
        return _out(endpoint)

    view.__name__ = fn.__name__
    return view


router.post("/{endpoint_id}/pause", response=EndpointOut)(_action(services.endpoint_pause))
router.post("/{endpoint_id}/resume", response=EndpointOut)(_action(services.endpoint_resume))


@router.post("/{endpoint_id}/rotate-secret", response=SecretOut)
def rotate_secret(request: HttpRequest, endpoint_id: uuid.UUID) -> dict[str, Any]:
    endpoint = _endpoint(request, endpoint_id)
    secret = services.endpoint_rotate_secret(endpoint=endpoint)
    return {"secret": secret, "previous_secret_valid_until": endpoint.previous_secret_expires_at}


@router.post("/{endpoint_id}/test", response=TestOut)
def test_endpoint(request: HttpRequest, endpoint_id: uuid.UUID) -> Any:
    return services.endpoint_test(endpoint=_endpoint(request, endpoint_id))


@router.delete("/{endpoint_id}", response={204: None})
def delete_endpoint(request: HttpRequest, endpoint_id: uuid.UUID) -> Status:
    endpoint = _endpoint(request, endpoint_id)
    with service_errors():
        services.endpoint_delete(endpoint=endpoint)
    return Status(204, None)


@router.get("/{endpoint_id}/deliveries", response=list[DeliveryOut])
def list_deliveries(
    request: HttpRequest, endpoint_id: uuid.UUID, status: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    endpoint = _endpoint(request, endpoint_id)
    rows = selectors.deliveries(endpoint=endpoint, status=status, limit=limit)
    return [selectors.delivery_summary(m) for m in rows]


@router.get("/{endpoint_id}/deliveries/{delivery_id}", response=DeliveryDetailOut)
def get_delivery(
    request: HttpRequest, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> dict[str, Any]:
    endpoint = _endpoint(request, endpoint_id)
    try:
        message = selectors.delivery_get(endpoint=endpoint, message_id=delivery_id)
    except Http404 as exc:
        raise ApiError(404, "not_found", "Delivery not found") from exc
    return {
        **selectors.delivery_summary(message),
        "payload": bytes(message.payload).decode("utf-8", errors="replace"),
        "attempt_list": selectors.attempts(message=message),
    }


@router.post("/{endpoint_id}/deliveries/{delivery_id}/replay", response={202: ReplayOut})
def replay_delivery(request: HttpRequest, endpoint_id: uuid.UUID, delivery_id: uuid.UUID) -> Status:
    endpoint = _endpoint(request, endpoint_id)
    with service_errors():
        count = services.delivery_replay(endpoint=endpoint, message_id=delivery_id, by="api")
    return Status(202, {"replayed": count})


# --- events -------------------------------------------------------------------------------


class EventOut(Schema):
    id: str
    type: str
    timestamp: str
    org_id: str
    data: dict[str, Any]


class EventTypeOut(Schema):
    name: str
    version: int
    description: str
    category: str
    schema_: dict[str, Any] = Field(..., alias="schema")
    example: dict[str, Any]


@events_router.get("", response=list[EventOut])
def list_events(
    request: HttpRequest, type: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    qs = recent_events(org=_org(request), type=type)[: max(1, min(limit, 500))]
    return [event.envelope() for event in qs]


@events_router.get("/types", response=list[EventTypeOut], by_alias=True)
def list_event_types(request: HttpRequest) -> list[dict[str, Any]]:
    _org(request)
    return [
        {
            "name": t.name,
            "version": t.version,
            "description": t.description,
            "category": t.category,
            "schema": t.schema,
            "example": t.example,
        }
        for t in catalogue.all_types()
    ]
