"""Retry queue and dead-letter queue screens with bulk actions (FR-INT-020/021)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from monopilot.integration_logs.models import IntegrationLog
from monopilot.outbox.models import Message
from monopilot.outbox.services import NewMessage, enqueue_many
from monopilot.tenancy.models import Organization


def message(
    org: Organization, status: str, kind: str = "webhook", event_type: str = "order.created"
) -> Message:
    [msg] = enqueue_many(
        [
            NewMessage(
                org_id=org.pk,
                kind=kind,
                target_id=uuid.uuid4(),
                payload=b'{"n": 1}',
                event_type=event_type,
                target_label="ERP",
            )
        ]
    )
    fields: dict[str, object] = {
        "status": status,
        "attempts": 2,
        "cycle_attempts": 2,
        "last_error": "HTTP 503",
    }
    if status == "dead":
        fields.update(dead_at=timezone.now(), dead_reason="Gave up after 8 attempts")
    Message.objects.filter(pk=msg.pk).update(**fields)
    msg.refresh_from_db()
    return msg


def test_retry_queue_lists_failed_pending_messages(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    message(org, "pending")
    message(org, "dead")
    html = as_role("it_manager").get("/integrations/logs/retry-queue").content.decode()
    assert html.count('data-testid="retry-row"') == 1
    assert "2 / 8" in html
    assert "Retry selected now" not in html  # read-only role: no bulk buttons


def test_bulk_retry_now_and_skip_with_summary(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    a, b, c = (message(org, "pending") for _ in range(3))
    client = as_role("owner")
    response = client.post(
        "/integrations/logs/retry-queue/action",
        {"action": "retry_now", "ids": [str(a.pk), str(b.pk)]},
        follow=True,
    )
    assert "Bulk retry started: 2 queued for an immediate retry." in response.content.decode()
    response = client.post(
        "/integrations/logs/retry-queue/action",
        {"action": "skip", "ids": [str(c.pk), str(uuid.uuid4())]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 moved to the dead-letter queue. 1 item was no longer in the queue." in html
    c.refresh_from_db()
    assert c.status == "dead"
    assert IntegrationLog.objects.filter(org=org, event_type="outbox.skip").count() == 1


def test_dead_letters_replay_selected_and_by_filter(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    one = message(org, "dead")
    two = message(org, "dead", kind="comarch")
    three = message(org, "dead", kind="comarch")
    client = as_role("admin")
    html = client.get("/integrations/logs/dead-letter-queue").content.decode()
    assert html.count('data-testid="dead-row"') == 3
    assert "Gave up after 8 attempts" in html
    response = client.post(
        "/integrations/logs/dead-letter-queue/action",
        {"action": "replay", "ids": [str(one.pk)], "note": "fixed URL"},
        follow=True,
    )
    assert "1 replayed" in response.content.decode()
    one.refresh_from_db()
    assert (one.status, one.notes) == ("pending", "fixed URL")
    response = client.post(
        "/integrations/logs/dead-letter-queue/action",
        {"action": "replay", "scope": "filter", "kind": "comarch"},
        follow=True,
    )
    assert "2 replayed" in response.content.decode()
    assert set(
        Message.objects.filter(pk__in=[two.pk, three.pk]).values_list("status", flat=True)
    ) == {"pending"}


def test_dead_letters_delete_keeps_log_rows(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    dead = message(org, "dead")
    logs_before = IntegrationLog.objects.filter(org=org).count()
    response = as_role("owner").post(
        "/integrations/logs/dead-letter-queue/action",
        {"action": "delete", "ids": [str(dead.pk)]},
        follow=True,
    )
    assert "1 deleted. Their log rows are kept." in response.content.decode()
    assert not Message.objects.filter(pk=dead.pk).exists()
    assert IntegrationLog.objects.filter(org=org).count() == logs_before + 1  # + the audit row


def test_it_manager_cannot_act_on_queues(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    pending, dead = message(org, "pending"), message(org, "dead")
    client = as_role("it_manager")
    assert (
        client.post(
            "/integrations/logs/retry-queue/action", {"action": "skip", "ids": [str(pending.pk)]}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/integrations/logs/dead-letter-queue/action",
            {"action": "delete", "ids": [str(dead.pk)]},
        ).status_code
        == 403
    )
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert Message.objects.filter(pk=dead.pk, status="dead").exists()


def test_queues_do_not_touch_another_org(
    as_role: Callable[[str], Client], other_org: Organization
) -> None:
    foreign = message(other_org, "dead")
    client = as_role("owner")
    assert (
        'data-testid="dead-row"'
        not in client.get("/integrations/logs/dead-letter-queue").content.decode()
    )
    client.post(
        "/integrations/logs/dead-letter-queue/action",
        {"action": "delete", "ids": [str(foreign.pk)]},
    )
    assert Message.objects.filter(pk=foreign.pk).exists()
    assert client.get(f"/integrations/logs/messages/{foreign.pk}").status_code == 404


def test_message_detail(as_role: Callable[[str], Client], org: Organization) -> None:
    msg = message(org, "dead")
    html = as_role("it_manager").get(f"/integrations/logs/messages/{msg.pk}").content.decode()
    assert (
        msg.message_id in html and "Gave up after 8 attempts" in html and "&quot;n&quot;: 1" in html
    )


def test_empty_dead_letter_queue(as_role: Callable[[str], Client]) -> None:
    html = as_role("owner").get("/integrations/logs/dead-letter-queue").content.decode()
    assert "No failed events. All integrations healthy." in html


def test_retry_now_from_the_dashboard_feed_and_log_detail(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    from monopilot.integration_logs.services import log_integration

    msg = message(org, "pending")
    Message.objects.filter(pk=msg.pk).update(next_attempt_at=timezone.now() + timedelta(hours=2))
    row = log_integration(
        org=org,
        integration_type="webhook",
        direction="outbound",
        status="error",
        event_type="order.created",
        external_id=msg.message_id,
        http_status=503,
    )
    assert row is not None
    client = as_role("owner")
    html = client.get("/integrations/dashboard").content.decode()
    assert f'name="ids" value="{msg.pk}"' in html
    detail = client.get(f"/integrations/logs/{row.pk}").content.decode()
    assert f'name="ids" value="{msg.pk}"' in detail
    assert f"/integrations/logs/messages/{msg.pk}" in detail
    response = client.post(
        "/integrations/logs/retry-queue/action",
        {"action": "retry_now", "ids": [str(msg.pk)], "next": "/integrations/dashboard"},
    )
    assert response["Location"] == "/integrations/dashboard"
    msg.refresh_from_db()
    assert msg.next_attempt_at is not None and msg.next_attempt_at <= timezone.now()
    read_only = as_role("it_manager").get("/integrations/dashboard").content.decode()
    assert f'name="ids" value="{msg.pk}"' not in read_only


def test_dashboard_counts_match_the_outbox_queues(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    from monopilot.outbox.services import dead_letters_qs, retry_queue_qs

    for status in ("pending", "pending", "dead", "delivered", "held"):
        message(org, status)
    enqueue_many([NewMessage(org_id=org.pk, kind="webhook", target_id=uuid.uuid4(), payload=b"{}")])
    summary = as_role("owner").get("/api/integrations/dashboard").json()["error_summary"]
    assert summary["pending_retries"] == retry_queue_qs(org=org).count() == 2
    assert summary["dlq_count"] == dead_letters_qs(org=org).count() == 1
