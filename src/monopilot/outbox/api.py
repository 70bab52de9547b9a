"""/api/v1/retry-queue (`router`) and /api/v1/dead-letters (`dead_letters_router`).

Scope: webhook:manage (webhooks are the only transport so far; when Comarch/EDI sends
arrive, the queues will filter by the kinds the key's scopes allow).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from monopilot.api.context import ApiPrincipal, require_scope
from monopilot.api.errors import ApiError
from monopilot.outbox import selectors, services
from monopilot.outbox.errors import ServiceError
from monopilot.outbox.models import Message

SCOPE = "webhook:manage"
router = Router(tags=["retry queue"])
dead_letters_router = Router(tags=["dead letters"])


@contextmanager
def service_errors() -> Iterator[None]:
    try:
        yield
    except ServiceError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.details) from exc
    except Http404 as exc:
        raise ApiError(404, "not_found", "Message not found") from exc


def _who(request: HttpRequest) -> ApiPrincipal:
    return require_scope(request, SCOPE)


def _by(who: ApiPrincipal) -> str:
    return f"api key {who.key_prefix or who.key_id or ''}".strip()


class QueueItemOut(Schema):
    id: uuid.UUID
    kind: str
    target_id: uuid.UUID
    target_label: str
    event_id: uuid.UUID | None
    event_type: str
    status: str
    error: str
    http_status: int | None
    attempts: int
    retry_count: str
    retry_policy: str
    next_attempt_at: datetime | None
    dead_reason: str
    dead_at: datetime | None
    created_at: datetime
    notes: str


class IdsIn(Schema):
    ids: list[uuid.UUID]
    reason: str = ""


class FilterIn(Schema):
    ids: list[uuid.UUID] | None = None
    kind: str | None = None
    target_id: uuid.UUID | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class CountOut(Schema):
    count: int


def _item(m: Message) -> dict[str, Any]:
    return {
        **{f: getattr(m, f) for f in _FIELDS},
        "error": m.last_error,
        "http_status": m.last_http_status,
        "retry_count": f"{m.cycle_attempts} / {m.max_retries + 1}",
    }


_FIELDS = (
    "id", "kind", "target_id", "target_label", "event_id", "event_type", "status", "attempts",
    "retry_policy", "next_attempt_at", "dead_reason", "dead_at", "created_at", "notes",
)  # fmt: skip


# --- retry queue --------------------------------------------------------------------------


@router.get("", response=list[QueueItemOut])
def retry_queue(
    request: HttpRequest,
    kind: str | None = None,
    target_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    rows = selectors.retry_queue(org=_who(request).org, kind=kind, target_id=target_id)
    return [_item(m) for m in rows[: max(1, min(limit, 1000))]]


@router.post("/retry", response=CountOut)
def retry_now(request: HttpRequest, payload: IdsIn) -> dict[str, int]:
    who = _who(request)
    with service_errors():
        return {"count": services.retry_now(org=who.org, ids=payload.ids, by=_by(who))}


@router.post("/skip", response=CountOut)
def skip(request: HttpRequest, payload: IdsIn) -> dict[str, int]:
    who = _who(request)
    with service_errors():
        count = services.skip(org=who.org, ids=payload.ids, by=_by(who), reason=payload.reason)
    return {"count": count}


# --- dead letters -------------------------------------------------------------------------


def _filtered(who: ApiPrincipal, f: FilterIn) -> QuerySet[Message]:
    return selectors.dead_letters(
        org=who.org,
        kind=f.kind,
        target_id=f.target_id,
        event_type=f.event_type,
        since=f.since,
        until=f.until,
    )


@dead_letters_router.get("", response=list[QueueItemOut])
def dead_letters(
    request: HttpRequest,
    kind: str | None = None,
    target_id: uuid.UUID | None = None,
    event_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    qs = selectors.dead_letters(
        org=_who(request).org,
        kind=kind,
        target_id=target_id,
        event_type=event_type,
        since=since,
        until=until,
    )
    return [_item(m) for m in qs[: max(1, min(limit, 1000))]]


@dead_letters_router.post("/replay", response={202: CountOut})
def replay_many(request: HttpRequest, payload: FilterIn) -> Status:
    who = _who(request)
    with service_errors():
        count = services.replay(
            org=who.org, ids=payload.ids, qs=_filtered(who, payload), by=_by(who), note=payload.note
        )
    return Status(202, {"count": count})


@dead_letters_router.post("/delete", response=CountOut)
def delete_many(request: HttpRequest, payload: FilterIn) -> dict[str, int]:
    who = _who(request)
    with service_errors():
        count = services.delete_dead(
            org=who.org, ids=payload.ids, qs=_filtered(who, payload), by=_by(who)
        )
    return {"count": count}


@dead_letters_router.get("/{message_id}", response=QueueItemOut)
def dead_letter(request: HttpRequest, message_id: uuid.UUID) -> dict[str, Any]:
    with service_errors():
        return _item(selectors.dead_letter_get(org=_who(request).org, message_id=message_id))


@dead_letters_router.post("/{message_id}/replay", response={202: CountOut})
def replay_one(request: HttpRequest, message_id: uuid.UUID, payload: NoteIn) -> Status:
    who = _who(request)
    with service_errors():
        selectors.dead_letter_get(org=who.org, message_id=message_id)
        qs = selectors.dead_letters(org=who.org)
        count = services.replay(
            org=who.org, ids=[message_id], qs=qs, by=_by(who), note=payload.note
        )
    return Status(202, {"count": count})


@dead_letters_router.delete("/{message_id}", response={204: None})
def delete_one(request: HttpRequest, message_id: uuid.UUID) -> Status:
    who = _who(request)
    with service_errors():
        selectors.dead_letter_get(org=who.org, message_id=message_id)
        services.delete_dead(org=who.org, ids=[message_id], by=_by(who))
    return Status(204, None)
