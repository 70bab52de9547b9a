"""Retry queue and dead-letter queue actions, leases, FIFO ordering, retention."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from monopilot.integration_logs.models import IntegrationLog
from monopilot.outbox import delivery, selectors
from monopilot.outbox import services as outbox
from monopilot.outbox.alerts import DLQ_ALERT_THRESHOLD
from monopilot.outbox.dispatcher import drain_once
from monopilot.outbox.models import Alert, Message
from monopilot.webhooks.receiver import Answer
from webhooks.helpers import emit


def _fail_once(org, receiver, make_endpoint, **kw) -> Message:
    make_endpoint(receiver.url, **kw)
    emit(org)
    receiver.script.append(Answer(503))
    drain_once()
    return Message.objects.get()


def test_retry_queue_lists_failed_pending_and_retry_now_sends(org, receiver, make_endpoint):
    message = _fail_once(org, receiver, make_endpoint)
    assert list(selectors.retry_queue(org=org)) == [message]
    assert drain_once() == []  # next attempt is 5 s away
    assert outbox.retry_now(org=org, ids=[message.id], by="ops@test") == 1
    [outcome] = drain_once()
    assert outcome.ok
    assert list(selectors.retry_queue(org=org)) == []
    audit = IntegrationLog.objects.get(event_type="outbox.retry_now")
    assert audit.request_body["by"] == "ops@test" and audit.external_id == message.message_id


def test_skip_moves_to_the_dead_letter_queue(org, receiver, make_endpoint) -> None:
    message = _fail_once(org, receiver, make_endpoint)
    assert outbox.skip(org=org, ids=[message.id], by="ops") == 1
    message.refresh_from_db()
    assert message.status == "dead" and message.dead_reason == "Skipped by ops"
    assert list(selectors.dead_letters(org=org)) == [message]
    assert IntegrationLog.objects.filter(event_type="outbox.skip").count() == 1


def test_dlq_replay_delivers_once_more_with_the_same_ids(org, receiver, make_endpoint) -> None:
    endpoint_secret = make_endpoint(receiver.url, max_retries=0)[1]
    event = emit(org)
    receiver.script.append(Answer(500))
    drain_once()
    message = Message.objects.get()
    assert message.status == "dead"
    assert outbox.replay(org=org, ids=[message.id], by="ops", note="fixed the receiver") == 1
    assert list(selectors.retry_queue(org=org)) == [Message.objects.get()]
    [outcome] = drain_once()
    assert outcome.ok
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == message.message_id
    assert json.loads(second.body)["id"] == str(event.id)
    Webhook(endpoint_secret).verify(second.body, second.headers)
    message.refresh_from_db()
    assert message.status == "delivered" and message.attempts == 2
    assert message.notes == "fixed the receiver"
    assert IntegrationLog.objects.filter(event_type="outbox.replay").count() == 1


def test_replay_by_filter_and_delete(org, other_org, receiver, make_endpoint) -> None:
    ep_a, _ = make_endpoint(receiver.url + "/a", max_retries=0)
    make_endpoint(receiver.url + "/b", max_retries=0)
    make_endpoint(receiver.url + "/o", max_retries=0, org=other_org)
    for n in range(3):
        emit(org, number=str(n))
    emit(other_org)
    receiver.script.extend(Answer(500) for _ in range(7))
    drain_once()
    assert selectors.dead_letters(org=org).count() == 6
    only_a = selectors.dead_letters(org=org, target_id=ep_a.id)
    assert outbox.replay(org=org, qs=only_a, by="ops") == 3
    assert selectors.dead_letters(org=org).count() == 3
    assert outbox.delete_dead(org=org, qs=selectors.dead_letters(org=org), by="ops") == 3
    assert selectors.dead_letters(org=org).count() == 0
    assert selectors.dead_letters(org=other_org).count() == 1  # the other tenant untouched
    assert IntegrationLog.objects.filter(event_type="outbox.delete").count() == 3


def test_actions_cannot_touch_another_tenant(org, other_org, receiver, make_endpoint) -> None:
    message = _fail_once(org, receiver, make_endpoint)
    assert outbox.retry_now(org=other_org, ids=[message.id]) == 0
    assert outbox.skip(org=other_org, ids=[message.id]) == 0
    assert outbox.replay(org=other_org, ids=[message.id]) == 0
    assert Message.objects.get().status == "pending"


def _age(message_id: uuid.UUID, *, days: int, field: str) -> None:
    """As if the message was created, then died or was delivered, `days` days ago."""
    then = timezone.now() - timedelta(days=days)
    Message.objects.filter(id=message_id).update(
        created_at=then - timedelta(minutes=5), **{field: then}
    )


def test_dead_letters_expire_after_30_days(org, receiver, make_endpoint) -> None:
    message = _fail_once(org, receiver, make_endpoint, max_retries=0)
    _age(message.id, days=31, field="dead_at")
    assert outbox.purge_expired() == 1
    assert Message.objects.count() == 0
    assert IntegrationLog.objects.filter(event_type="whtest.created").count() == 1  # log stays


def test_retention_keeps_what_is_younger_and_what_still_waits(
    org, other_org, receiver, make_endpoint
) -> None:
    """Delivered and dead messages go 30 days after they were delivered or died, in every
    organisation; younger ones and pending ones stay, however old."""
    make_endpoint(receiver.url, max_retries=0)
    for n in range(4):
        emit(org, number=str(n))
    drain_once()
    old_delivered, young_delivered, old_dead, young_dead = Message.objects.order_by("seq")
    _age(old_delivered.id, days=31, field="delivered_at")
    _age(young_delivered.id, days=29, field="delivered_at")
    Message.objects.filter(id__in=[old_dead.id, young_dead.id]).update(
        status="dead", delivered_at=None
    )
    _age(old_dead.id, days=40, field="dead_at")
    _age(young_dead.id, days=2, field="dead_at")
    make_endpoint(receiver.url, org=other_org, max_retries=0)
    emit(other_org)
    drain_once()
    theirs = Message.objects.get(org=other_org)
    _age(theirs.id, days=31, field="delivered_at")
    emit(org, number="waiting")  # not sent yet
    waiting = Message.objects.get(status="pending")
    Message.objects.filter(id=waiting.id).update(created_at=timezone.now() - timedelta(days=60))

    assert outbox.purge_expired() == 3
    assert set(Message.objects.values_list("id", flat=True)) == {
        young_delivered.id,
        young_dead.id,
        waiting.id,
    }


def test_alert_when_the_dlq_holds_more_than_50(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url, max_retries=0)
    for n in range(DLQ_ALERT_THRESHOLD + 1):
        emit(org, number=str(n))
    receiver.script.extend(Answer(500) for _ in range(DLQ_ALERT_THRESHOLD + 1))
    drain_once()
    assert Alert.objects.filter(code="dlq_over_threshold", resolved_at=None).count() == 1


def test_expired_lease_makes_a_message_due_again(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url)
    emit(org)
    [job] = delivery.claim(worker="dead-worker", limit=10, lease_seconds=60)
    assert delivery.claim(worker="other", limit=10, lease_seconds=60) == []
    Message.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    [again] = delivery.claim(worker="other", limit=10, lease_seconds=60)
    assert again.id == job.id and again.lease_token != job.lease_token


def test_late_outcome_of_a_lost_lease_does_not_overwrite(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url)
    emit(org)
    [stale] = delivery.claim(worker="w1", limit=10, lease_seconds=60)
    Message.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    [fresh] = delivery.claim(worker="w2", limit=10, lease_seconds=60)
    from monopilot.outbox.transport import Outcome

    delivery.record([Outcome(job=stale, ok=False, started_at=timezone.now(), error="x")])
    message = Message.objects.get()
    assert message.lease_token == fresh.lease_token and message.attempts == 0


def test_fifo_per_key_sends_one_at_a_time_in_order(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url, ordering="key")
    for n in range(3):
        emit(org, number=str(n), subject=("order", "A"))
    emit(org, number="b", subject=("order", "B"))
    jobs = delivery.claim(worker="w", limit=10, lease_seconds=60)
    assert sorted(json.loads(j.payload)["data"]["number"] for j in jobs) == ["0", "b"]
    Message.objects.filter(ordering_key__endswith=":order:B").delete()
    receiver.script.append(Answer(500))  # the head fails: the line waits behind it
    Message.objects.update(lease_until=None, lease_token="")
    drain_once()
    Message.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    for _ in range(4):
        drain_once()
    numbers = [json.loads(r.body)["data"]["number"] for r in receiver.requests]
    assert numbers == ["0", "0", "1", "2"]


def test_fifo_per_endpoint(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url, ordering="endpoint")
    for n in range(3):
        emit(org, number=str(n))
    sent = []
    for _ in range(3):
        sent += [json.loads(o.job.payload)["data"]["number"] for o in drain_once()]
    assert sent == ["0", "1", "2"]


def test_unknown_ids_are_ignored_and_malformed_ids_are_not_found(org) -> None:
    assert outbox.retry_now(org=org, ids=[uuid.uuid4()]) == 0
