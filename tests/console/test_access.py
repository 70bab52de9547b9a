"""The permission gate, navigation, organisation switcher and language switch."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from monopilot.tenancy.models import Organization, User
from monopilot.tenancy.services import member_add

SCREENS = [
    "/integrations/dashboard",
    "/integrations/logs",
    "/integrations/logs/retry-queue",
    "/integrations/logs/dead-letter-queue",
    "/integrations/events",
    "/integrations/api-keys",
    "/integrations/webhooks",
]
LOG_SCREENS = {
    "/integrations/logs",
    "/integrations/logs/retry-queue",
    "/integrations/logs/dead-letter-queue",
}


@pytest.mark.parametrize("path", SCREENS)
def test_anonymous_is_sent_to_login(client: Client, db: None, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", SCREENS)
@pytest.mark.parametrize("role", ["owner", "admin", "it_manager"])
def test_managers_and_it_manager_see_every_screen(
    as_role: Callable[[str], Client], role: str, path: str
) -> None:
    response = as_role(role).get(path)
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("path", SCREENS)
def test_viewer_gets_a_friendly_refusal(as_role: Callable[[str], Client], path: str) -> None:
    response = as_role("viewer").get(path)
    assert response.status_code == 403
    assert b"Insufficient permissions" in response.content
    assert b'data-testid="refused"' in response.content
    assert b"Your role (Viewer) cannot open this page." in response.content


@pytest.mark.parametrize("path", SCREENS)
def test_accountant_reads_overview_screens_but_not_logs(
    as_role: Callable[[str], Client], path: str
) -> None:
    response = as_role("accountant").get(path)
    assert response.status_code == (403 if path in LOG_SCREENS else 200)


@pytest.mark.parametrize("path", SCREENS)
def test_org_without_the_module_sees_the_upsell(
    free_org: Organization, make_user: Callable[..., User], client: Client, path: str
) -> None:
    client.force_login(make_user(free_org, "owner"))
    response = client.get(path)
    assert response.status_code == 402
    assert b'data-testid="upsell"' in response.content
    assert b"premium add-on" in response.content


def test_user_without_membership_is_refused(client: Client, db: None) -> None:
    user = User.objects.create_user(email="nobody@example.com", password="pw-test-123")
    client.force_login(user)
    response = client.get("/integrations/dashboard")
    assert response.status_code == 403
    assert b"not a member of any organisation" in response.content


def test_it_manager_sees_no_edit_buttons(as_role: Callable[[str], Client]) -> None:
    client = as_role("it_manager")
    keys = client.get("/integrations/api-keys").content
    hooks = client.get("/integrations/webhooks").content
    assert b"/integrations/api-keys/new" not in keys
    assert b"/integrations/webhooks/new" not in hooks


def test_navigation_lists_every_area_and_highlights_the_current(
    as_role: Callable[[str], Client],
) -> None:
    html = as_role("admin").get("/integrations/logs/retry-queue").content.decode()
    for label in [
        "Dashboard",
        "API keys",
        "Webhooks",
        "Integration logs",
        "Retry queue",
        "Dead letters",
        "Events",
        "EDI",
        "Comarch Optima",
        "Supplier portal",
        "Export",
        "Import",
        "Builder",
        "Marketplace",
    ]:
        assert label in html, label
    assert 'href="/integrations/logs/retry-queue" class="active" aria-current="page"' in html
    assert 'href="/integrations/logs" class="active"' not in html


def test_nav_hides_logs_from_roles_without_the_logs_capability(
    as_role: Callable[[str], Client],
) -> None:
    html = as_role("accountant").get("/integrations/dashboard").content.decode()
    assert 'href="/integrations/logs' not in html
    assert 'href="/integrations/api-keys"' in html


def test_org_switcher_changes_the_current_org(
    org: Organization, other_org: Organization, make_user: Callable[..., User], client: Client
) -> None:
    user = make_user(org, "owner")
    member_add(org=other_org, email=user.email, role="admin")
    client.force_login(user)
    html = client.get("/integrations/dashboard").content.decode()
    assert 'id="org-switch"' in html
    response = client.post(
        "/integrations/switch-org", {"org": str(other_org.pk), "next": "/integrations/events"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/integrations/events"
    assert client.session["console_org_id"] == str(other_org.pk)


def test_org_switcher_ignores_an_org_the_user_is_not_in(
    org: Organization, other_org: Organization, make_user: Callable[..., User], client: Client
) -> None:
    client.force_login(make_user(org, "owner"))
    client.get("/integrations/dashboard")
    response = client.post(
        "/integrations/switch-org", {"org": str(other_org.pk), "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/integrations/dashboard"
    assert client.session["console_org_id"] == str(org.pk)


def test_single_org_user_sees_no_switcher(as_role: Callable[[str], Client]) -> None:
    html = as_role("owner").get("/integrations/dashboard").content.decode()
    assert 'id="org-switch"' not in html


def test_language_switch_renders_polish(as_role: Callable[[str], Client]) -> None:
    client = as_role("owner")
    response = client.post("/i18n/setlang/", {"language": "pl", "next": "/integrations/dashboard"})
    assert response.status_code == 302
    html = client.get("/integrations/dashboard").content.decode()
    assert '<html lang="pl">' in html
    assert "Pulpit integracji" in html
    assert "Klucze API" in html


def test_htmx_is_served_from_our_static_files(as_role: Callable[[str], Client]) -> None:
    html = as_role("owner").get("/integrations/dashboard").content.decode()
    assert '<script src="/static/console/vendor/htmx.min.js" defer></script>' in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_it_manager_write_refusal_explains_read_only(as_role: Callable[[str], Client]) -> None:
    response = as_role("it_manager").post("/integrations/api-keys/new", {"name": "x"})
    assert response.status_code == 403
    assert b"Your role (IT manager) can view Integrations but not change them." in response.content


def test_refusal_in_polish(as_role: Callable[[str], Client]) -> None:
    client = as_role("viewer")
    client.cookies["django_language"] = "pl"
    html = client.get("/integrations/logs").content.decode()
    assert "Twoja rola (Obserwator) nie daje dostępu do tej strony." in html


def test_htmx_poll_after_logout_redirects_the_window(client: Client, db: None) -> None:
    response = client.get("/integrations/dashboard", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/integrations/dashboard"
    assert response.content == b""


def test_htmx_refusal_redirects_the_window(as_role: Callable[[str], Client]) -> None:
    response = as_role("viewer").get(
        "/integrations/logs?status=error", headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == "/integrations/logs?status=error"
