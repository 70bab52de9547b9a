"""The console in a real browser: each screen's main flow, per role, and on a phone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.test import override_settings
from django.utils import timezone

from monopilot.events import catalogue
from monopilot.events.services import publish
from monopilot.integration_logs.services import log_integration
from monopilot.outbox.models import Message
from monopilot.outbox.services import NewMessage, enqueue_many
from monopilot.tenancy.models import Organization, User
from monopilot.webhooks.receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EVENT = "console.browser"


@pytest.fixture(autouse=True)
def _event_type() -> None:
    if EVENT not in catalogue.names():
        catalogue.register(
            catalogue.EventType(
                name=EVENT,
                description="Browser test event (an order was created)",
                schema=catalogue.obj({"number": catalogue.STR}),
                example={"number": "SO-1"},
            )
        )


@pytest.fixture
def admin(org: Organization, make_user: Callable[..., User]) -> User:
    return make_user(org, "admin", email="admin@test.example.com")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with override_settings(MONOPILOT_ALLOW_PRIVATE_URLS=True):
        rx = Receiver()
        rx.url = rx.start()  # type: ignore[attr-defined]
        yield rx
        rx.stop()


def seed_logs(org: Organization) -> None:
    now = timezone.now()
    rows = [
        ("webhook", "success", "order.created", "ERP Subiekt", "SO-1001", 200, ""),
        ("api", "success", "GET /api/v1/orders", "", "", 200, ""),
        (
            "comarch",
            "error",
            "invoice.push",
            "Comarch Optima",
            "FV/11/2026/17",
            401,
            "Invalid credentials",
        ),
        ("edi", "success", "ORDERS", "Biedronka (GLN 5900000000001)", "ORD-77812", None, ""),
        (
            "webhook",
            "error",
            "shipment.dispatched",
            "WMS",
            "SH-551",
            503,
            "HTTP 503 Service Unavailable",
        ),
        ("export", "warning", "export.completed", "", "EXP-12", None, "2 rows skipped"),
    ]
    for i, (kind, status, event, system, ext, http, error) in enumerate(rows):
        log_integration(
            org=org,
            timestamp=now - timedelta(minutes=7 * i + 1),
            integration_type=kind,
            direction="outbound" if kind in ("webhook", "comarch", "export") else "inbound",
            status=status,
            event_type=event,
            external_system=system,
            external_id=ext,
            http_status=http,
            error_message=error,
            duration_ms=40 + 13 * i,
            request_body={"number": ext, "Authorization": "Bearer mp_live_abcdefghijk123"},
            response_body={"ok": status == "success"},
        )


def dead_letter(org: Organization, label: str = "WMS") -> Message:
    [msg] = enqueue_many(
        [
            NewMessage(
                org_id=org.pk,
                kind="webhook",
                target_id=org.pk,
                payload=b'{"n": 1}',
                event_type="shipment.dispatched",
                target_label=label,
            )
        ]
    )
    Message.objects.filter(pk=msg.pk).update(
        status="dead",
        attempts=8,
        dead_at=timezone.now(),
        dead_reason="Gave up after 8 attempts",
        last_http_status=503,
    )
    return msg


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run ORM/asyncio work off the Playwright thread (its event loop is running here)."""
    box: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: box.update(result=fn()))
    thread.start()
    thread.join(30)
    return box.get("result")


def test_admin_dashboard_logs_and_events(
    live_server: Any,
    page_factory: Any,
    sign_in: Any,
    shot: Callable[[Any, str], Path],
    admin: User,
    org: Organization,
) -> None:
    seed_logs(org)
    page = page_factory()
    sign_in(page, admin.email)
    assert page.evaluate("typeof htmx") == "object"
    page.wait_for_selector('[data-testid="card-comarch"]')
    assert "Invalid credentials" in page.inner_text('[data-testid="card-comarch"]')
    assert page.locator(".feed > li").count() == 6
    page.locator(".feed summary").first.click()
    assert "mp_live_abc***" in page.inner_text(".feed")
    shot(page, "01-dashboard")
    # the 30 s poll is also fired when the tab becomes visible again: simulate that
    log_integration(
        org=org,
        integration_type="api",
        direction="inbound",
        status="success",
        event_type="GET /api/v1/products",
        timestamp=timezone.now(),
    )
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_selector("text=1 new event")
    page.wait_for_function("document.querySelectorAll('.feed > li').length === 7")

    page.click('[data-testid="failed-24h"]')
    page.wait_for_url("**/integrations/logs?status=error*")
    assert page.locator('[data-testid="log-row"]').count() == 2
    page.select_option("#f-status", "")  # htmx swaps the results, URL follows
    page.wait_for_function("document.querySelectorAll('[data-testid=log-row]').length === 7")
    page.fill("#f-q", "FV/11/2026/17")
    page.press("#f-q", "Enter")
    page.wait_for_function("document.querySelectorAll('[data-testid=log-row]').length === 1")
    assert "q=FV" in page.url
    shot(page, "02-logs")
    page.fill("#f-q", "")
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    page.fill("#f-from", yesterday)  # picking a date switches the range to "custom"
    page.press("#f-from", "Enter")
    page.wait_for_function("document.querySelectorAll('[data-testid=log-row]').length === 7")
    assert page.input_value("#f-range") == "custom" and "date_range=custom" in page.url
    page.fill("#f-q", "FV/11/2026/17")
    page.press("#f-q", "Enter")
    page.wait_for_function("document.querySelectorAll('[data-testid=log-row]').length === 1")
    page.click('[data-testid="log-row"] a.button')
    page.wait_for_selector('[data-testid="request-body"]')
    assert "Invalid credentials" in page.content()
    shot(page, "03-log-detail")

    page.goto(live_server.url + "/integrations/events")
    page.click(f"text={EVENT}")
    page.wait_for_selector('[data-testid="event-schema"]')
    shot(page, "04-event-detail")


def test_admin_creates_an_api_key_and_uses_it(
    live_server: Any, page_factory: Any, sign_in: Any, shot: Callable[[Any, str], Path], admin: User
) -> None:
    page = page_factory()
    sign_in(page, admin.email)
    page.click('nav >> text="API keys"')
    page.click('[data-testid="new-key"]')
    page.fill("#k-name", "Warehouse scanner")
    page.check('input[value="write:orders"]')
    page.check('input[value="read:products"]')
    page.select_option("#k-tier", "standard")
    shot(page, "05-api-key-create")
    page.click('form[data-testid="key-form"] button[type=submit]')
    errors = page.locator(".field-error, .callout.err")
    assert errors.count() == 0, errors.all_inner_texts()
    key = page.inner_text('[data-testid="plaintext-key"]').strip()
    assert key.startswith("mp_live_") and len(key) == 46
    shot(page, "06-api-key-issued")

    response = httpx.get(live_server.url + "/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    assert response.json()["scopes"] == ["read:orders", "read:products", "write:orders"]

    page.click("text=I've copied the key - close")
    page.wait_for_selector('[data-testid="usage"]')
    assert key not in page.content()
    page.fill("#revoke-reason", "scanner replaced")
    page.click("text=Revoke permanently")
    page.wait_for_selector('[data-testid="revocation"]')
    assert (
        httpx.get(
            live_server.url + "/api/v1/me", headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 401
    )
    page.goto(live_server.url + "/integrations/api-keys?status=all")
    shot(page, "07-api-keys-list")


def test_admin_webhook_test_send_and_delivery(
    live_server: Any,
    page_factory: Any,
    sign_in: Any,
    shot: Callable[[Any, str], Path],
    admin: User,
    org: Organization,
    receiver: Receiver,
) -> None:
    page = page_factory()
    sign_in(page, admin.email)
    page.goto(live_server.url + "/integrations/webhooks/new")
    page.fill("#w-name", "Orders to WMS")
    page.fill("#w-url", receiver.url + "/hooks")  # type: ignore[attr-defined]
    page.check(f'input[value="{EVENT}"]')
    page.select_option("#w-policy", "immediate")
    shot(page, "08-webhook-create")
    page.click('form[data-testid="webhook-form"] button[type=submit]')
    assert page.inner_text('[data-testid="secret-value"]').startswith("whsec_")
    page.click("text=Done")
    page.click('[data-testid="send-test"]')
    page.wait_for_selector('[data-testid="test-result"]')
    assert "Test delivered" in page.inner_text('[data-testid="test-result"]')
    assert receiver.wait_for(1)

    in_thread(
        lambda: publish(
            org=Organization.objects.get(pk=org.pk), type=EVENT, data={"number": "SO-42"}
        )
    )
    from monopilot.outbox.dispatcher import drain_once

    in_thread(drain_once)
    assert receiver.wait_for(2)
    page.reload()
    page.wait_for_selector('[data-testid="delivery-row"]')
    shot(page, "09-webhook-detail")
    page.click('[data-testid="delivery-row"] a')
    page.wait_for_selector('[data-testid="payload"]')
    assert "SO-42" in page.inner_text('[data-testid="payload"]')
    assert "delivered" in page.inner_text('[data-testid="delivery-status"]').lower()
    shot(page, "10-webhook-delivery")


def test_admin_replays_a_dead_letter(
    live_server: Any,
    page_factory: Any,
    sign_in: Any,
    shot: Callable[[Any, str], Path],
    admin: User,
    org: Organization,
) -> None:
    first, _second = dead_letter(org), dead_letter(org, "ERP")
    page = page_factory()
    sign_in(page, admin.email)
    page.goto(live_server.url + "/integrations/logs/dead-letter-queue")
    assert page.locator('[data-testid="dead-row"]').count() == 2
    shot(page, "11-dead-letters")
    page.check(f'input[name="ids"][value="{first.pk}"]')
    page.fill("#dlq-note", "receiver fixed")
    page.click("text=Replay selected")
    page.wait_for_selector(".toast")
    assert "1 replayed" in page.inner_text(".toasts")
    assert page.locator('[data-testid="dead-row"]').count() == 1
    page.goto(live_server.url + "/integrations/logs/retry-queue")
    shot(page, "12-retry-queue")


def test_it_manager_reads_but_cannot_change(
    live_server: Any,
    page_factory: Any,
    sign_in: Any,
    shot: Callable[[Any, str], Path],
    org: Organization,
    make_user: Callable[..., User],
) -> None:
    it = make_user(org, "it_manager")
    dead_letter(org)
    page = page_factory()
    sign_in(page, it.email)
    page.goto(live_server.url + "/integrations/api-keys")
    assert page.locator('[data-testid="new-key"]').count() == 0
    page.goto(live_server.url + "/integrations/logs/dead-letter-queue")
    assert page.locator('[data-testid="dead-row"]').count() == 1
    assert page.locator("text=Replay selected").count() == 0
    shot(page, "13-it-manager-dlq")
    token = page.evaluate("document.querySelector('body').getAttribute('hx-headers')")
    csrf = token.split('"X-CSRFToken": "')[1].split('"')[0]
    refused = page.request.post(
        live_server.url + "/integrations/logs/dead-letter-queue/action",
        form={"action": "delete", "scope": "filter"},
        headers={"X-CSRFToken": csrf},
    )
    assert refused.status == 403
    assert Message.objects.filter(org=org, status="dead").count() == 1


def test_viewer_is_refused(
    live_server: Any,
    page_factory: Any,
    sign_in: Any,
    shot: Callable[[Any, str], Path],
    org: Organization,
    make_user: Callable[..., User],
) -> None:
    viewer = make_user(org, "viewer")
    page = page_factory()
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", viewer.email)
    page.fill("#id_password", "pw-test-123")
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector('[data-testid="refused"]')
    assert "Insufficient permissions" in page.inner_text("h1")
    shot(page, "14-viewer-refused")


def test_phone_width_hamburger_and_polish(
    live_server: Any,
    page_factory: Any,
    sign_in: Any,
    shot: Callable[[Any, str], Path],
    admin: User,
    org: Organization,
) -> None:
    seed_logs(org)
    page = page_factory(width=375, height=812)
    sign_in(page, admin.email)
    page.wait_for_selector('[data-testid="health-cards"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not page.is_visible("#sidenav a.active") or page.evaluate(
        "document.querySelector('#sidenav').getBoundingClientRect().right <= 0"
    )
    shot(page, "15-phone-dashboard")
    page.click(".hamburger")
    page.wait_for_function("document.querySelector('#sidenav').getBoundingClientRect().left >= 0")
    shot(page, "16-phone-nav", full_page=False)
    page.click(".hamburger")
    page.click('button.lang[value="pl"]')
    page.wait_for_selector("text=Pulpit integracji")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "Sukces" in page.inner_text('[data-testid="activity"]')
    shot(page, "17-phone-dashboard-pl")
    page.goto(live_server.url + "/integrations/logs")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "18-phone-logs-pl")
    page.goto(live_server.url + "/integrations/api-keys/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "19-phone-api-key-form-pl")
