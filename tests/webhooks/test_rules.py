"""Retry rules, 410 Gone, Retry-After, timeouts and the 5-day auto-disable, end to end."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from monopilot.integration_logs.models import IntegrationLog
from monopilot.outbox.dispatcher import drain_once
from monopilot.outbox.models import Alert, Message
from monopilot.webhooks.models import Endpoint
from monopilot.webhooks.receiver import Answer
from webhooks.helpers import emit


def _due_now() -> None:
    Message.objects.filter(status="pending").update(next_attempt_at=timezone.now())


def test_410_gone_disables_the_endpoint_and_dead_letters_its_queue(
    org, receiver, make_endpoint
) -> None:
    endpoint, _ = make_endpoint(receiver.url)
    emit(org, number="1")
    emit(org, number="2")
    receiver.script.extend([Answer(410, "gone"), Answer(410, "gone")])
    drain_once()
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled"
    assert "410" in endpoint.disabled_reason
    assert set(Message.objects.values_list("status", flat=True)) == {"dead"}
    assert Alert.objects.filter(code="endpoint_disabled", target_id=endpoint.id).exists()
    emit(org, number="3")  # a disabled endpoint gets nothing new
    assert Message.objects.count() == 2


def test_immediate_policy_dead_letters_a_400_at_once(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url, retry_policy="immediate")
    emit(org)
    receiver.script.append(Answer(400, "bad"))
    drain_once()
    message = Message.objects.get()
    assert message.status == "dead"
    assert message.dead_reason == "HTTP 400 is not retried under 'immediate'"


def test_immediate_policy_retries_a_429_after_five_seconds(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url, retry_policy="immediate")
    emit(org)
    receiver.script.append(Answer(429, "slow down"))
    before = timezone.now()
    drain_once()
    message = Message.objects.get()
    assert message.status == "pending"
    assert timedelta(seconds=4) < message.next_attempt_at - before < timedelta(seconds=7)


def test_retry_after_is_honoured(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url)
    emit(org)
    receiver.script.append(Answer(503, "busy", headers={"Retry-After": "120"}))
    before = timezone.now()
    drain_once()
    wait = Message.objects.get().next_attempt_at - before
    assert timedelta(seconds=119) < wait < timedelta(seconds=125)


def test_retries_exhausted_go_to_the_dead_letter_queue(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url, max_retries=2)
    emit(org)
    receiver.script.extend([Answer(500), Answer(500), Answer(500)])
    for _ in range(3):
        drain_once()
        _due_now()
    message = Message.objects.get()
    assert message.status == "dead" and message.attempts == 3
    assert message.dead_reason == "Gave up after 3 attempts"


def test_manual_policy_waits_in_the_retry_queue(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url, retry_policy="manual")
    emit(org)
    receiver.script.append(Answer(500))
    drain_once()
    message = Message.objects.get()
    assert message.status == "pending" and message.next_attempt_at is None
    assert drain_once() == []


def test_timeout_is_reported_with_the_prd_text(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url, timeout_seconds=1)
    emit(org)
    receiver.script.append(Answer(200, delay=2.0))
    [outcome] = drain_once()
    assert outcome.error == "Request timeout after 1 seconds"
    log = IntegrationLog.objects.get(event_type="whtest.created")
    assert log.status == "error" and log.error_message == "Request timeout after 1 seconds"


def test_redirects_are_not_followed(org, receiver, make_endpoint) -> None:
    make_endpoint(receiver.url)
    emit(org)
    receiver.script.append(Answer(302, headers={"Location": receiver.url + "/elsewhere"}))
    [outcome] = drain_once()
    assert not outcome.ok and outcome.http_status == 302
    assert len(receiver.requests) == 1


def test_five_days_of_failure_disables_with_alerts_first(org, receiver, make_endpoint) -> None:
    endpoint, _ = make_endpoint(receiver.url)
    emit(org)
    receiver.script.append(Answer(500))
    drain_once()
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    assert Alert.objects.filter(code="endpoint_failing", resolved_at=None).count() == 1
    # four and a half days later: warned, not yet disabled
    Endpoint.objects.filter(id=endpoint.id).update(
        failing_since=timezone.now() - timedelta(days=4, hours=12)
    )
    _due_now()
    receiver.script.append(Answer(500))
    drain_once()
    endpoint.refresh_from_db()
    assert endpoint.status == "active"
    assert Alert.objects.filter(code="endpoint_disable_soon").count() == 1
    # five days: disabled, alert, the queue moves to dead letters
    Endpoint.objects.filter(id=endpoint.id).update(
        failing_since=timezone.now() - timedelta(days=5, minutes=1)
    )
    _due_now()
    receiver.script.append(Answer(500))
    drain_once()
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled"
    assert endpoint.disabled_reason == "Failing continuously for 5 days"
    assert Alert.objects.filter(code="endpoint_disabled").count() == 1
    assert Message.objects.get().status == "dead"
    assert IntegrationLog.objects.filter(event_type="alert.endpoint_disabled").count() == 1


def test_a_success_resets_the_failure_clock_and_resolves_alerts(
    org, receiver, make_endpoint
) -> None:
    endpoint, _ = make_endpoint(receiver.url)
    emit(org)
    receiver.script.append(Answer(500))
    drain_once()
    _due_now()
    drain_once()
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None
    assert endpoint.success_rate == "50% (1/2)"
    assert Alert.objects.get(code="endpoint_failing").resolved_at is not None


@override_settings(MONOPILOT_HTTP_TIMEOUT=30)
def test_network_error_is_a_retryable_failure(org, allow_private, make_endpoint) -> None:
    make_endpoint("http://127.0.0.1:9/nothing-listens-here")
    emit(org)
    [outcome] = drain_once()
    assert outcome.error.startswith("Cannot reach webhook URL — Check firewall and DNS settings")
    assert Message.objects.get().status == "pending"
