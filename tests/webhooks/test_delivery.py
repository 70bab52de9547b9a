"""Delivery end to end (in-thread drain): wire format, signatures checked by the official
`standardwebhooks` package, retries keep the webhook-id, rotation sends both signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from monopilot.integration_logs.models import IntegrationLog
from monopilot.outbox.dispatcher import drain_once
from monopilot.outbox.models import Attempt, Message
from monopilot.webhooks import services, signing
from monopilot.webhooks.receiver import Answer
from webhooks.helpers import emit


def _due_now() -> None:
    Message.objects.filter(status="pending").update(next_attempt_at=timezone.now())


def test_delivery_wire_format_and_signatures(org, receiver, make_endpoint) -> None:
    endpoint, secret = make_endpoint(receiver.url + "/hook", headers={"X-Tenant": "t-1"})
    event = emit(org, number="SO-42", correlation_id="flow-1")
    outcomes = drain_once()
    assert [o.ok for o in outcomes] == [True]
    [got] = receiver.requests
    body = got.body
    payload = Webhook(secret).verify(body, got.headers)  # the official client verifies
    assert payload == {
        "id": str(event.id),
        "type": "whtest.created",
        "timestamp": event.envelope()["timestamp"],
        "org_id": str(org.pk),
        "data": {"number": "SO-42"},
    }
    message = Message.objects.get()
    assert bytes(message.payload) == body  # the bytes stored are the bytes sent
    assert got.headers["webhook-id"] == message.message_id
    assert got.headers["X-MonoPilot-Event"] == "whtest.created"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Tenant"] == "t-1"
    attempt = Attempt.objects.get()
    assert got.headers["X-MonoPilot-Delivery-ID"] == str(attempt.id)
    key = signing.key_bytes(secret)
    expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    assert got.headers["X-MonoPilot-Signature"] == expected
    assert attempt.request_headers["X-Tenant"] == "***REDACTED***"
    message.refresh_from_db()
    assert message.status == "delivered" and message.attempts == 1
    log = IntegrationLog.objects.get(integration_type="webhook")
    assert log.status == "success" and log.http_status == 200
    assert log.webhook_id == endpoint.id and log.correlation_id == "flow-1"
    assert log.external_id == message.message_id
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, got.headers)


def test_a_retry_keeps_the_webhook_id_and_is_signed_afresh(org, receiver, make_endpoint) -> None:
    _, secret = make_endpoint(receiver.url)
    emit(org)
    receiver.script.extend([Answer(503, "down"), Answer(200)])
    [first] = drain_once()
    assert not first.ok and first.http_status == 503
    message = Message.objects.get()
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=3)
    assert drain_once() == []  # not due yet
    _due_now()
    [second] = drain_once()
    assert second.ok
    one, two = receiver.requests
    assert one.headers["webhook-id"] == two.headers["webhook-id"]
    assert one.headers["X-MonoPilot-Delivery-ID"] != two.headers["X-MonoPilot-Delivery-ID"]
    assert Webhook(secret).verify(two.body, two.headers)["type"] == "whtest.created"
    assert list(
        IntegrationLog.objects.filter(event_type="whtest.created")
        .order_by("timestamp")
        .values_list("status", "retry_count")
    ) == [("error", 0), ("success", 1)]
    logs = IntegrationLog.objects.filter(event_type="whtest.created")
    assert len({log.correlation_id for log in logs}) == 1


def test_rotated_secret_sends_both_signatures_for_24h(org, receiver, make_endpoint) -> None:
    endpoint, old = make_endpoint(receiver.url)
    new = services.endpoint_rotate_secret(endpoint=endpoint)
    assert new != old and new.startswith("whsec_")
    emit(org)
    drain_once()
    [got] = receiver.requests
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    assert len(got.headers["X-MonoPilot-Signature"].split(" ")) == 2
    Webhook(new).verify(got.body, got.headers)
    Webhook(old).verify(got.body, got.headers)
    # after the overlap only the new secret signs
    endpoint.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    endpoint.save()
    emit(org, number="SO-2")
    drain_once()
    last = receiver.requests[-1]
    Webhook(new).verify(last.body, last.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(last.body, last.headers)


def test_fan_out_only_to_subscribed_matching_endpoints(org, other_org, receiver, make_endpoint):
    make_endpoint(receiver.url + "/a", event_types=["whtest.created", "whtest.updated"])
    make_endpoint(receiver.url + "/b", event_types=["whtest.updated"])
    make_endpoint(
        receiver.url + "/c",
        event_types=["whtest.created"],
        payload_filter={"data.number": ["SO-7", "SO-8"]},
    )
    make_endpoint(receiver.url + "/other", org=other_org)
    emit(org, number="SO-1")
    emit(org, number="SO-7")
    emit(org, type="whtest.other")
    drain_once()
    assert sorted(r.path for r in receiver.requests) == ["/a", "/a", "/c"]


def test_rolled_back_publish_sends_nothing(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(org)
        raise RuntimeError
    assert Message.objects.count() == 0


def test_paused_endpoint_holds_and_resume_sends(org, receiver, make_endpoint) -> None:
    endpoint, _ = make_endpoint(receiver.url)
    services.endpoint_pause(endpoint=endpoint)
    emit(org)
    assert drain_once() == []
    assert Message.objects.get().status == "held"
    services.endpoint_resume(endpoint=endpoint)
    assert [o.ok for o in drain_once()] == [True]


def test_deleted_endpoint_gets_nothing_new(org, receiver, make_endpoint) -> None:
    endpoint, _ = make_endpoint(receiver.url)
    services.endpoint_delete(endpoint=endpoint)
    emit(org)
    assert Message.objects.count() == 0


def test_payload_is_compact_json(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url)
    emit(org)
    drain_once()
    body = receiver.requests[0].body
    assert body == json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()


def test_any_answer_body_is_recorded_even_one_the_database_cannot_store(
    org, receiver, make_endpoint
) -> None:
    """A receiver's body is foreign text: NUL (which PostgreSQL refuses in text columns)
    must not make the recording fail — that would fail the whole batch, and the messages
    would be sent again and again. Tabs, newlines, backslashes and other text are kept."""
    make_endpoint(receiver.url, max_retries=3)
    emit(org, number="SO-1")
    emit(org, number="SO-2")
    receiver.script.extend(
        [Answer(200, "ok\x00\tthen\\more\r\nłódź"), Answer(500, "bad\x00\x00 \\N end")]
    )
    outcomes = drain_once()
    assert sorted(o.ok for o in outcomes) == [False, True]
    bodies = sorted(Attempt.objects.values_list("response_body", flat=True))
    assert bodies == ["bad \\N end", "ok\tthen\\more\r\nłódź"]
    assert sorted(Message.objects.values_list("status", flat=True)) == ["delivered", "pending"]
    attempts_logged = IntegrationLog.objects.filter(event_type="whtest.created")
    logged = sorted(attempts_logged.values_list("response_body", flat=True))
    assert logged == ["bad \\N end", "ok\tthen\\more\r\nłódź"]
