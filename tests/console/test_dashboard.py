"""Dashboard page, htmx partial and the JSON endpoints (FR-INT-001)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from monopilot.apikeys.services import api_key_create
from monopilot.tenancy.models import Organization, User


def test_empty_dashboard_shows_not_configured_cards_and_healthy(
    as_role: Callable[[str], Client],
) -> None:
    html = as_role("owner").get("/integrations/dashboard").content.decode()
    for key in ("comarch", "edi", "api_keys", "webhooks"):
        assert f'data-testid="card-{key}"' in html
    assert html.count("Not configured") == 4
    assert "Set up EDI to enable order automation" in html
    assert "No recent integration activity" in html
    assert "All integrations healthy" in html
    assert 'class="badge healthy"' in html
    # cards link only to screens that exist: no dead link to the (future) Comarch page;
    # the EDI screens exist, so the nav and the EDI card lead there
    assert 'href="/integrations/comarch"' not in html
    assert 'href="/integrations/edi"' in html
    assert '<a href="/integrations/api-keys" class="card health-card"' in html


def test_dashboard_polls_every_30s_only_while_visible(as_role: Callable[[str], Client]) -> None:
    html = as_role("owner").get("/integrations/dashboard").content.decode()
    assert "every 30s [document.visibilityState === &#x27;visible&#x27;]" in html or (
        "every 30s [document.visibilityState === 'visible']" in html
    )
    assert "visibilitychange" in html


def test_htmx_refresh_returns_only_the_panels_and_counts_new_events(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    client = as_role("owner")
    old = make_log(minutes_ago=10)
    make_log(minutes_ago=1, event_type="order.updated")
    response = client.get(
        "/integrations/dashboard",
        {"since": old.timestamp.isoformat()},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not html.lstrip().startswith("<!doctype")
    assert html.count('data-testid="dashboard-panels"') == 1
    assert "1 new event" in html


def test_feed_error_summary_and_comarch_error_card(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    make_log(
        integration_type="comarch",
        status="success",
        minutes_ago=120,
        external_system="Comarch Optima",
    )
    make_log(
        integration_type="comarch",
        status="error",
        minutes_ago=3,
        error_message="Invalid credentials",
    )
    make_log(status="error", error_message="HTTP 503", request_body={"password": "s3cret", "n": 1})
    html = as_role("admin").get("/integrations/dashboard").content.decode()
    assert "Invalid credentials" in html
    assert 'data-testid="card-comarch"' in html
    assert "s3cret" not in html and "***REDACTED***" in html
    assert 'class="badge down"' in html  # the only configured integration is failing
    assert 'href="/integrations/logs?status=error&amp;date_range=last_24_hours"' in html


def test_feed_is_limited_to_20_newest_of_24h(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    for i in range(25):
        make_log(minutes_ago=i + 1, external_id=f"EXT-{i:02d}")
    make_log(minutes_ago=60 * 25, external_id="TOO-OLD")
    html = as_role("owner").get("/integrations/dashboard").content.decode()
    assert "EXT-00" in html and "EXT-19" in html
    assert "EXT-20" not in html and "TOO-OLD" not in html


def test_dashboard_json(
    as_role: Callable[[str], Client], make_log: Callable[..., Any], org: Organization, owner: User
) -> None:
    api_key_create(org=org, by=owner, name="ERP", scopes=["read:orders"])
    make_log(status="error")
    make_log(status="success")
    body = as_role("it_manager").get("/api/integrations/dashboard").json()
    assert set(body["health_status"]) == {"comarch", "edi", "api_keys", "webhooks"}
    assert body["health_status"]["api_keys"]["status"] == "active"
    assert body["health_status"]["api_keys"]["metrics"]["Active keys"] == "1"
    assert body["error_summary"] == {"failed_count_24h": 1, "pending_retries": 0, "dlq_count": 0}
    # the key creation itself is an audit row in the log (success)
    assert body["success_rate_24h"] == 67
    assert len(body["recent_activity"]) == 3


def test_health_json_comarch_auth_error_is_degraded(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    make_log(integration_type="webhook", status="success")
    make_log(integration_type="comarch", status="error", error_message="Invalid API credentials")
    body = as_role("owner").get("/api/integrations/health").json()
    assert body["overall_status"] == "down"  # the only configured sync integration is failing
    assert body["integrations"]["comarch"] == {
        "status": "error",
        "error_message": "Invalid API credentials",
        "last_sync_at": None,
    }


def test_health_json_degraded_when_one_of_several_fails(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    make_log(integration_type="edi", status="success")
    make_log(integration_type="comarch", status="error", error_message="Invalid API credentials")
    body = as_role("owner").get("/api/integrations/health").json()
    assert body["overall_status"] == "degraded"
    assert body["integrations"]["edi"]["status"] == "connected"


def test_json_endpoints_refuse_like_the_api(
    client: Client,
    as_role: Callable[[str], Client],
    free_org: Organization,
    make_user: Callable[..., User],
) -> None:
    assert client.get("/api/integrations/health").status_code == 401
    viewer = as_role("viewer")
    response = viewer.get("/api/integrations/dashboard")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    viewer.force_login(make_user(free_org, "owner"))
    assert viewer.get("/api/integrations/health").status_code == 402


def test_dashboard_shows_only_own_org(
    as_role: Callable[[str], Client], make_log: Callable[..., Any], other_org: Organization
) -> None:
    make_log(target=other_org, external_id="OTHER-ORG-ROW")
    html = as_role("owner").get("/integrations/dashboard").content.decode()
    assert "OTHER-ORG-ROW" not in html
    body = as_role("owner").get("/api/integrations/dashboard").json()
    assert body["recent_activity"] == []


def test_a_failing_panel_does_not_break_the_others(
    as_role: Callable[[str], Client], monkeypatch: Any
) -> None:
    from monopilot.console import selectors

    def boom(**kwargs: Any) -> None:
        raise RuntimeError("db hiccup")

    monkeypatch.setattr(selectors, "recent_activity", boom)
    html = as_role("owner").get("/integrations/dashboard").content.decode()
    assert "Activity feed temporarily unavailable" in html
    assert 'data-testid="card-webhooks"' in html


def test_webhooks_card_counts_attempts_of_24h(
    as_role: Callable[[str], Client], org: Organization
) -> None:
    from django.utils import timezone

    from monopilot.events import catalogue
    from monopilot.outbox.models import Attempt
    from monopilot.outbox.services import NewMessage, enqueue_many
    from monopilot.webhooks.services import endpoint_create

    name = catalogue.names()[0]
    ep, _ = endpoint_create(org=org, name="WMS", url="https://example.com/h", event_types=[name])
    [msg] = enqueue_many(
        [NewMessage(org_id=org.pk, kind="webhook", target_id=ep.id, payload=b"{}", event_type=name)]
    )
    for number, ok in enumerate([True, True, True, False], start=1):
        Attempt.objects.create(
            org=org, message=msg, number=number, started_at=timezone.now(), ok=ok
        )
    body = as_role("owner").get("/api/integrations/dashboard").json()
    card = body["health_status"]["webhooks"]
    assert card["status"] == "warning"
    assert card["metrics"] == {
        "Active webhooks": "1",
        "Success rate (24 h)": "75% (3/4 deliveries)",
        "Failed deliveries (24 h)": "1",
    }
    assert body["overall_status"] == "degraded"


def test_relative_times() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from monopilot.console.templatetags.console_tags import ago

    now = timezone.now()
    assert ago(now - timedelta(seconds=5)) == "just now"
    assert ago(now - timedelta(minutes=3, seconds=5)) == "3\xa0minutes ago"
    assert ago(now + timedelta(hours=2, minutes=1)) == "in 2\xa0hours"
    assert ago(None) == ""


def test_dashboard_queries_do_not_grow_with_data(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_role("owner")
    client.get("/integrations/dashboard")  # warm the session
    make_log(status="error")
    with CaptureQueriesContext(connection) as few:
        client.get("/integrations/dashboard")
    for i in range(30):
        make_log(minutes_ago=i + 1, status="error" if i % 3 else "success")
    with CaptureQueriesContext(connection) as many:
        client.get("/integrations/dashboard")
    assert len(many.captured_queries) == len(few.captured_queries)
