"""Claiming due messages and recording attempt outcomes (the dispatcher's database side).

Claim: PostgreSQL uses `SELECT … FOR UPDATE SKIP LOCKED`, so any number of workers on any
number of machines take disjoint batches without waiting on each other. SQLite has no row
locks; its transactions here are IMMEDIATE (settings), so the claim holds the single write
lock from BEGIN, and the UPDATE re-checks "still pending and lease free" anyway.
A claim sets a lease; a worker that dies simply lets it run out.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from monopilot.core import fastsql
from monopilot.integration_logs.masking import mask_json_text
from monopilot.integration_logs.models import IntegrationLog
from monopilot.integration_logs.services import LogEntry
from monopilot.outbox import alerts, policy
from monopilot.outbox import transport as transports
from monopilot.outbox.models import Attempt, Message, Status
from monopilot.outbox.services import lock_listed_ids_in_order
from monopilot.outbox.transport import Job, Outcome

logger = logging.getLogger(__name__)

RESPONSE_BODY_CHARS = 4000


def due_messages(now: datetime) -> Any:
    earlier_in_line = Message.objects.filter(
        ordering_key=OuterRef("ordering_key"),
        status__in=[Status.PENDING, Status.HELD],
        seq__lt=OuterRef("seq"),
    )
    return (
        Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(ordering_key="") | ~Exists(earlier_in_line))
    )


# The columns a Job needs, in the order `_job_from_row` reads them.
_JOB_COLUMNS = (
    "id", "org_id", "kind", "target_id", "target_label", "event_id", "event_type", "payload",
    "content_type", "correlation_id", "retry_policy", "max_retries", "attempts",
    "cycle_attempts", "lease_token",
)  # fmt: skip


def claim(
    *, worker: str, limit: int, lease_seconds: float, skip_targets: Collection[uuid.UUID] = ()
) -> list[Job]:
    """Lease up to `limit` due messages to `worker` in one statement and return them.

    `UPDATE … WHERE id IN (due ids … LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING …`: one
    round trip, no model instances, SQL written once per shape (this runs for every batch
    the dispatcher sends; compiling the ORM query each time cost more than running it).
    The rows are those of `due_messages`. `skip_targets`: targets that already have all
    the work this worker can start for them (their messages stay in the queue for later,
    or for another worker).
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    skip = [fastsql.uuid_param(t) for t in skip_targets]
    stamp = fastsql.datetime_param(now)
    lease_until = fastsql.datetime_param(now + timedelta(seconds=lease_seconds))
    params = [
        lease_until, token, worker[:100],
        Status.PENDING, stamp, stamp, Status.PENDING, Status.HELD, *skip,
    ]  # fmt: skip
    with transaction.atomic():
        _relaxed_commit()
        with connection.cursor() as cursor:
            cursor.execute(_claim_sql(connection.vendor, len(skip), int(limit)), params)
            rows = cursor.fetchall()
    return [_job_from_row(row) for row in rows]


@lru_cache(maxsize=256)
def _claim_sql(vendor: str, skipped: int, limit: int) -> str:
    qn = connection.ops.quote_name
    table = qn(Message._meta.db_table)
    returning = ", ".join(qn(c) for c in _JOB_COLUMNS)
    not_skipped = f" AND due.target_id NOT IN ({', '.join(['%s'] * skipped)})" if skipped else ""
    lock = " FOR UPDATE OF due SKIP LOCKED" if vendor == "postgresql" else ""
    due = (
        f"SELECT due.id FROM {table} due "  # noqa: S608 (names from the model, values bound)
        "WHERE due.status = %s AND due.next_attempt_at <= %s "
        "AND (due.lease_until IS NULL OR due.lease_until < %s) "
        "AND (due.ordering_key = '' OR NOT EXISTS ("
        f"SELECT 1 FROM {table} earlier WHERE earlier.ordering_key = due.ordering_key "
        "AND earlier.status IN (%s, %s) AND earlier.seq < due.seq))"
        f"{not_skipped} ORDER BY due.next_attempt_at LIMIT {limit}{lock}"
    )
    return (
        f"UPDATE {table} SET lease_until = %s, lease_token = %s, leased_by = %s "  # noqa: S608
        f"WHERE id IN ({due}) RETURNING {returning}"
    )


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


_known_ids: dict[Any, uuid.UUID] = {}


def _as_known_uuid(value: Any) -> uuid.UUID:
    """`_as_uuid` for ids that repeat from row to row (organisations, targets): parsing a
    UUID from text is slow, a dict lookup is not."""
    known = _known_ids.get(value)
    if known is None:
        if len(_known_ids) > 10_000:
            _known_ids.clear()
        known = _known_ids[value] = _as_uuid(value)
    return known


def _job_from_row(row: tuple[Any, ...]) -> Job:
    (mid, org_id, kind, target_id, target_label, event_id, event_type, payload,
     content_type, correlation_id, retry_policy, max_retries, attempts, cycle_attempts,
     lease_token) = row  # fmt: skip
    return Job(
        id=_as_uuid(mid),
        org_id=_as_known_uuid(org_id),
        kind=kind,
        target_id=_as_known_uuid(target_id),
        target_label=target_label,
        event_id=None if event_id is None else _as_uuid(event_id),
        event_type=event_type,
        payload=bytes(payload),
        content_type=content_type,
        correlation_id=correlation_id,
        retry_policy=retry_policy,
        max_retries=max_retries,
        attempts=attempts,
        cycle_attempts=cycle_attempts,
        lease_token=lease_token,
    )


def record(outcomes: list[Outcome], *, worker: str = "") -> None:
    """Write attempts, move messages on, log every attempt — one transaction per batch."""
    if not outcomes:
        return
    now = timezone.now()
    attempted = [o for o in outcomes if o.deferred_until is None]
    with transaction.atomic():
        _relaxed_commit()
        # Rows locked in id order before the UPDATEs below (no deadlock with bulk actions).
        lock_listed_ids_in_order([o.job.id for o in outcomes])
        _release_deferred([o for o in outcomes if o.deferred_until is not None])
        fastsql.insert(Attempt, [_attempt_row(o, worker) for o in attempted])
        _mark_delivered([o for o in attempted if o.ok], now)
        dead_orgs = {o.job.org_id for o in attempted if not o.ok and _mark_failed(o, now)}
        fastsql.insert(IntegrationLog, [_log_row(o, now) for o in attempted])
        by_kind: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in attempted:
            by_kind[outcome.job.kind].append(outcome)
        for kind, group in by_kind.items():
            transports.get(kind).after(group)
        for org_id in dead_orgs:
            alerts.check_dead_letter_threshold(org_id=org_id)


def _relaxed_commit() -> None:
    """PostgreSQL: this transaction's commit does not wait for the WAL flush.

    Safe here because delivery is at-least-once anyway: if the server crashed and lost a
    claim or an outcome committed this way, the message is simply pending again and is sent
    once more (same webhook-id). Business data never goes through here.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _release_deferred(outcomes: list[Outcome]) -> None:
    for o in outcomes:
        Message.objects.filter(id=o.job.id, lease_token=o.job.lease_token).update(
            next_attempt_at=o.deferred_until, lease_until=None, lease_token=""
        )


def _attempt_row(o: Outcome, worker: str) -> dict[str, Any]:
    return {
        "id": o.job.delivery_id,
        "org_id": o.job.org_id,
        "message_id": o.job.id,
        "number": o.job.number,
        "started_at": o.started_at,
        "duration_ms": o.duration_ms,
        "ok": o.ok,
        "http_status": o.http_status,
        "request_headers": o.request_headers,
        "response_body": _storable(o.response_body[:RESPONSE_BODY_CHARS]),
        "error": _storable(o.error[:4000]),
        "worker": worker[:100],
        "manual": o.job.manual,
    }


def _storable(text: str) -> str:
    """Foreign text (a receiver's answer, an error quoting it) without NUL characters:
    PostgreSQL refuses them in text, and one such answer would fail the recording of its
    whole batch (then the messages are sent again, and fail the same way). The log drops
    them too (`masking.mask_text`)."""
    return text.replace("\x00", "") if "\x00" in text else text


def _mark_delivered(outcomes: list[Outcome], now: datetime) -> None:
    """One UPDATE per (lease, status) group, written by hand: the ORM's compile of this
    update cost more than running it, once per recorded batch."""
    groups: dict[tuple[str, int | None], list[uuid.UUID]] = defaultdict(list)
    for o in outcomes:
        groups[(o.job.lease_token, o.http_status)].append(o.job.id)
    stamp = fastsql.datetime_param(now)
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        for (token, status), ids in groups.items():
            listed, id_params = fastsql.id_list(ids)
            cursor.execute(
                f"UPDATE {table} SET status = %s, delivered_at = %s, last_attempt_at = %s, "  # noqa: S608
                "last_http_status = %s, last_error = '', attempts = attempts + 1, "
                "cycle_attempts = cycle_attempts + 1, lease_until = NULL, lease_token = '' "
                f"WHERE lease_token = %s AND id {listed}",
                [Status.DELIVERED, stamp, stamp, status, token, *id_params],
            )  # fmt: skip


def _mark_failed(o: Outcome, now: datetime) -> bool:
    """Apply the retry rules; True when the message went to the dead-letter queue."""
    job = o.job
    cycle = job.cycle_attempts + 1
    if o.final_reason:
        decision = policy.Decision("dead", reason=o.final_reason)
    else:
        decision = policy.decide(
            policy=job.retry_policy,
            max_retries=job.max_retries,
            cycle_attempts=cycle,
            http_status=o.http_status,
            retry_after=o.retry_after,
            now=now,
        )
    fields: dict[str, Any] = {
        "attempts": job.attempts + 1,
        "cycle_attempts": cycle,
        "last_attempt_at": now,
        "last_http_status": o.http_status,
        "last_error": _storable(o.error[:4000]),
        "lease_until": None,
        "lease_token": "",
    }
    if decision.action == "dead":
        fields.update(status=Status.DEAD, dead_at=now, dead_reason=decision.reason)
    else:
        fields.update(next_attempt_at=decision.next_at)  # None = waits for a manual retry
    updated = Message.objects.filter(id=job.id, lease_token=job.lease_token).update(**fields)
    return bool(updated) and decision.action == "dead"


def _log_row(o: Outcome, now: datetime) -> dict[str, Any]:
    job = o.job
    transport = transports.get(job.kind)
    fields: dict[str, Any] = {
        "integration_type": transport.log_type,
        "direction": "outbound",
        "status": "success" if o.ok else "error",
        "event_type": job.event_type,
        "http_status": o.http_status,
        "request_body": _payload_for_log(job),
        "response_body": o.response_body[:RESPONSE_BODY_CHARS] or None,
        "error_message": o.error,
        "external_id": job.message_id,
        "correlation_id": job.correlation_id or job.message_id,
        "retry_count": job.attempts,
        "duration_ms": o.duration_ms,
        "metadata": {"delivery_id": str(job.delivery_id), "attempt": job.number},
        "timestamp": now,
    }
    fields.update(transport.log_fields(o))
    return LogEntry(org_id=job.org_id, **fields).values()


def _payload_for_log(job: Job) -> Any:
    if job.content_type.startswith("application/json"):
        try:
            return mask_json_text(job.payload)
        except ValueError:
            pass
    return job.payload[:4000].decode("utf-8", errors="replace")


def settle_without_send(job: Job, verdict: Any) -> None:
    """prepare() said: hold (target paused) or dead (target gone/disabled) — no attempt."""
    fields: dict[str, Any] = {"lease_until": None, "lease_token": ""}
    if verdict.action == "hold":
        fields["status"] = Status.HELD
    else:
        fields.update(status=Status.DEAD, dead_at=timezone.now(), dead_reason=verdict.reason)
    Message.objects.filter(id=job.id, lease_token=job.lease_token).update(**fields)
