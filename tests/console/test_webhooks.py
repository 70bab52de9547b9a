"""Webhook screens: create with the event picker, secret once, test send, lifecycle, deliveries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.test import Client, override_settings
from django.utils.html import escape

from monopilot.events import catalogue
from monopilot.outbox.models import Attempt, Message
from monopilot.outbox.services import NewMessage, enqueue_many
from monopilot.tenancy.models import Organization
from monopilot.webhooks import services
from monopilot.webhooks.models import Endpoint
from monopilot.webhooks.receiver import Receiver

EVENT = "console.test"


@pytest.fixture(autouse=True)
def _event_type() -> None:
    if EVENT not in catalogue.names():
        catalogue.register(
            catalogue.EventType(
                name=EVENT,
                description="Console test event",
                schema=catalogue.obj({"number": catalogue.STR}),
                example={"number": "SO-1"},
            )
        )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with override_settings(MONOPILOT_ALLOW_PRIVATE_URLS=True):
        rx = Receiver()
        rx.url = rx.start()  # type: ignore[attr-defined]
        yield rx
        rx.stop()


@pytest.fixture
def endpoint(org: Organization) -> Endpoint:
    ep, _secret = services.endpoint_create(
        org=org, name="ERP hook", url="https://example.com/hook", event_types=[EVENT]
    )
    return ep


def delivery(ep: Endpoint, status: str = "dead") -> Message:
    [msg] = enqueue_many(
        [
            NewMessage(
                org_id=ep.org_id,
                kind="webhook",
                target_id=ep.id,
                payload=b'{"type": "console.test", "data": {"number": "SO-9"}}',
                event_type=EVENT,
                target_label=ep.name,
            )
        ]
    )
    Message.objects.filter(pk=msg.pk).update(
        status=status, attempts=1, last_http_status=503, last_error="HTTP 503"
    )
    Attempt.objects.create(
        org_id=ep.org_id,
        message=msg,
        number=1,
        started_at=msg.created_at,
        http_status=503,
        response_body='{"error": "down"}',
        request_headers={"Authorization": "Bearer hunter2hunter2"},
    )
    return msg


def test_create_shows_secret_once(as_role: Callable[[str], Client], org: Organization) -> None:
    client = as_role("admin")
    form = client.get("/integrations/webhooks/new").content.decode()
    assert f'name="event_types" value="{EVENT}"' in form
    response = client.post(
        "/integrations/webhooks/new",
        {
            "name": "Orders to ERP",
            "url": "https://example.com/in",
            "event_types": [EVENT],
            "retry_policy": "immediate",
            "max_retries": "3",
            "headers_text": "X-Team: ops",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="secret-value">whsec_[^<]+<', html)
    ep = Endpoint.objects.get(org=org, name="Orders to ERP")
    assert (ep.retry_policy, ep.max_retries, ep.event_types) == ("immediate", 3, [EVENT])
    assert services.endpoint_headers(ep) == {"X-Team": "ops"}
    assert "whsec_" not in client.get(f"/integrations/webhooks/{ep.pk}").content.decode()


@pytest.mark.parametrize(
    ("_case", "data", "message"),
    [
        (
            "http",
            {"url": "http://example.com/x", "event_types": [EVENT]},
            "Webhook URL must use HTTPS",
        ),
        ("no events", {"url": "https://example.com/x"}, "At least one event subscription required"),
        (
            "reserved",
            {
                "url": "https://example.com/x",
                "event_types": [EVENT],
                "headers_text": "X-MonoPilot-Signature: x",
            },
            "Header is reserved and cannot be customized",
        ),
        (
            "bad header line",
            {"url": "https://example.com/x", "event_types": [EVENT], "headers_text": "oops"},
            "Line 1: write headers as",
        ),
    ],
)
def test_create_errors(
    as_role: Callable[[str], Client],
    org: Organization,
    _case: str,
    data: dict[str, object],
    message: str,
) -> None:
    response = as_role("owner").post("/integrations/webhooks/new", {"name": "W", **data})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Endpoint.objects.filter(org=org).exists()


def test_list_shows_success_rate(as_role: Callable[[str], Client], endpoint: Endpoint) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(total_deliveries=250, failed_deliveries=20)
    html = as_role("it_manager").get("/integrations/webhooks").content.decode()
    assert "92% (230/250)" in html
    assert html.count('data-testid="webhook-row"') == 1


def test_test_send_shows_result_inline(
    as_role: Callable[[str], Client], org: Organization, receiver: Receiver
) -> None:
    ep, _ = services.endpoint_create(
        org=org, name="Local", url=receiver.url + "/hook", event_types=[EVENT]
    )  # type: ignore[attr-defined]
    response = as_role("owner").post(
        f"/integrations/webhooks/{ep.pk}/test", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.startswith('<div id="test-result" class="callout ok"')
    assert "Test delivered" in html and "<dd>200</dd>" in html
    assert receiver.wait_for(1)
    assert b"Test webhook from MonoPilot" in receiver.requests[0].body


def test_pause_resume_rotate_delete(as_role: Callable[[str], Client], endpoint: Endpoint) -> None:
    client = as_role("owner")
    client.post(f"/integrations/webhooks/{endpoint.pk}/pause")
    endpoint.refresh_from_db()
    assert endpoint.status == "paused"
    client.post(f"/integrations/webhooks/{endpoint.pk}/resume")
    endpoint.refresh_from_db()
    assert endpoint.status == "active"
    old = endpoint.secret_encrypted
    html = client.post(f"/integrations/webhooks/{endpoint.pk}/rotate").content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret_encrypted != old and "whsec_" in html and "24 hours" in html
    client.post(f"/integrations/webhooks/{endpoint.pk}/delete")
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is not None


def test_delete_refused_while_deliveries_pending(
    as_role: Callable[[str], Client], endpoint: Endpoint
) -> None:
    delivery(endpoint, status="pending")
    response = as_role("owner").post(f"/integrations/webhooks/{endpoint.pk}/delete", follow=True)
    assert "1 pending delivery - pause instead?" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is None


def test_deliveries_attempts_payload_and_replay(
    as_role: Callable[[str], Client], endpoint: Endpoint
) -> None:
    msg = delivery(endpoint)
    client = as_role("owner")
    detail = client.get(f"/integrations/webhooks/{endpoint.pk}").content.decode()
    assert detail.count('data-testid="delivery-row"') == 1
    page = client.get(f"/integrations/webhooks/{endpoint.pk}/deliveries/{msg.pk}").content.decode()
    assert "SO-9" in page and "HTTP 503" in page and "&quot;down&quot;" in page
    assert "hunter2hunter2" not in page and "Bearer hunter2hunt***" in page
    client.post(f"/integrations/webhooks/{endpoint.pk}/replay", {"message_id": str(msg.pk)})
    msg.refresh_from_db()
    assert msg.status == "pending"


@pytest.mark.parametrize("tail", ["/pause", "/delete", "/rotate", "/test", "/edit", "/replay"])
def test_it_manager_cannot_change_webhooks(
    as_role: Callable[[str], Client], endpoint: Endpoint, tail: str
) -> None:
    client = as_role("it_manager")
    response = client.post(f"/integrations/webhooks/{endpoint.pk}{tail}", {"name": "x"})
    assert response.status_code == 403
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.deleted_at, endpoint.name) == ("active", None, "ERP hook")
    page = client.get(f"/integrations/webhooks/{endpoint.pk}").content.decode()
    assert 'data-testid="webhook-actions"' not in page


def test_another_orgs_webhook_is_404(
    as_role: Callable[[str], Client], other_org: Organization
) -> None:
    foreign, _ = services.endpoint_create(
        org=other_org, name="Theirs", url="https://example.com/t", event_types=[EVENT]
    )
    client = as_role("owner")
    assert client.get(f"/integrations/webhooks/{foreign.pk}").status_code == 404
    assert client.post(f"/integrations/webhooks/{foreign.pk}/pause").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "active"


def test_edit(as_role: Callable[[str], Client], endpoint: Endpoint) -> None:
    client = as_role("owner")
    assert (
        'value="ERP hook"'
        in client.get(f"/integrations/webhooks/{endpoint.pk}/edit").content.decode()
    )
    response = client.post(
        f"/integrations/webhooks/{endpoint.pk}/edit",
        {
            "name": "ERP hook 2",
            "url": "https://example.com/v2",
            "event_types": [EVENT],
            "retry_policy": "manual",
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url, endpoint.retry_policy) == (
        "ERP hook 2",
        "https://example.com/v2",
        "manual",
    )


def test_delivery_limits_ordering_and_filter(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    client = as_role("admin")
    form = client.get("/integrations/webhooks/new").content.decode()
    assert 'name="rate_limit"' in form and 'name="max_concurrency" ' in form
    assert 'value="key"' in form  # the ordering choices
    response = client.post(
        "/integrations/webhooks/new",
        {
            "name": "Shipped only",
            "url": "https://example.com/in",
            "event_types": [EVENT],
            "retry_policy": "exponential",
            "rate_limit": "5",
            "max_concurrency": "3",
            "ordering": "key",
            "payload_filter_text": '{"data.number": ["SO-1", "SO-2"]}',
        },
    )
    assert response.status_code == 200
    ep = Endpoint.objects.get(org=org, name="Shipped only")
    assert (ep.rate_limit, ep.max_concurrency, ep.ordering) == (5, 3, "key")
    assert ep.payload_filter == {"data.number": ["SO-1", "SO-2"]}
    detail = client.get(f"/integrations/webhooks/{ep.pk}").content.decode()
    assert "5 deliveries/s" in detail and "at most 3 at once" in detail
    assert "FIFO per ordering key" in detail and "data.number" in detail
    edit = client.get(f"/integrations/webhooks/{ep.pk}/edit").content.decode()
    assert 'name="rate_limit" min="1" max="10000" value="5"' in edit
    assert "&quot;data.number&quot;" in edit  # the filter, as JSON to edit
    # Cleared in the form: no rate limit, default concurrency, no filter.
    response = client.post(
        f"/integrations/webhooks/{ep.pk}/edit",
        {
            "name": "Shipped only",
            "url": "https://example.com/in",
            "event_types": [EVENT],
            "retry_policy": "exponential",
            "rate_limit": "",
            "max_concurrency": "",
            "ordering": "none",
            "payload_filter_text": "",
        },
    )
    assert response.status_code == 302
    ep.refresh_from_db()
    assert (ep.rate_limit, ep.max_concurrency, ep.ordering, ep.payload_filter) == (
        None,
        20,
        "none",
        None,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"max_retries": "three"}, "Enter a whole number"),
        ({"rate_limit": "0"}, "Rate limit must be between 1 and 10000"),
        ({"max_concurrency": "500"}, "Concurrency must be between 1 and 200"),
        ({"payload_filter_text": '{"data.status": "x",}'}, "Not valid JSON at line 1, column"),
        ({"payload_filter_text": '["x"]'}, "Write the filter as an object"),
        ({"payload_filter_text": '{"data.s": {"a": 1}}'}, "must compare with plain values"),
    ],
)
def test_limit_and_filter_errors_say_what_is_wrong(
    as_role: Callable[[str], Client], org: Organization, fields: dict[str, str], message: str
) -> None:
    data = {"name": "W", "url": "https://example.com/x", "event_types": [EVENT], **fields}
    response = as_role("owner").post("/integrations/webhooks/new", data)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html.replace("&#x27;", "'")
    assert escape(next(iter(fields.values()))) in html  # what was typed is shown again
    assert not Endpoint.objects.filter(org=org).exists()


def test_delivery_settings_in_polish(as_role: Callable[[str], Client], org: Organization) -> None:
    client = as_role("admin")
    client.cookies["django_language"] = "pl"
    form = client.get("/integrations/webhooks/new").content.decode()
    for text in ("Limit szybkości (dostarczeń/s)", "Kolejność", "Bez kolejności (najszybciej)"):
        assert text in form
    ep, _ = services.endpoint_create(
        org=org, name="PL", url="https://example.com/x", event_types=[EVENT], rate_limit=5
    )
    detail = client.get(f"/integrations/webhooks/{ep.pk}").content.decode()
    assert "5 dostarczeń/s" in detail and "najwyżej 20 naraz" in detail
