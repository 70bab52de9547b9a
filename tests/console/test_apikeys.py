"""API key screens: list, create (shown once), edit, suspend/reactivate, revoke, regenerate."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from monopilot.apikeys.models import ApiKey
from monopilot.apikeys.services import api_key_create
from monopilot.tenancy.models import Organization, User


@pytest.fixture
def key(org: Organization, owner: User) -> ApiKey:
    return api_key_create(org=org, by=owner, name="ERP sync", scopes=["write:orders"]).key


def test_create_shows_the_key_once(as_role: Callable[[str], Client], org: Organization) -> None:
    client = as_role("admin")
    form = client.get("/integrations/api-keys/new").content.decode()
    assert 'name="scopes" value="write:orders"' in form
    assert "Write permissions include read access." in form
    response = client.post(
        "/integrations/api-keys/new",
        {
            "name": "Mobile App Production",
            "scopes": ["write:products", "webhook:manage"],
            "environment": "test",
            "rate_limit_tier": "standard",
            "expires_on": "2099-12-31",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    plaintext = re.search(r'data-testid="plaintext-key">(mp_test_[0-9A-Za-z]{38})<', html)
    assert plaintext, html[:500]
    assert "Copy this key now - it won't be shown again" in html
    key = ApiKey.objects.get(org=org, name="Mobile App Production")
    assert key.scopes == ["read:products", "webhook:manage", "write:products"]
    assert key.rate_limit_tier == "standard"
    assert key.expires_at is not None and key.expires_at.year == 2099
    detail = client.get(f"/integrations/api-keys/{key.pk}").content.decode()
    assert plaintext.group(1) not in detail
    assert plaintext.group(1) not in client.get("/integrations/api-keys").content.decode()


@pytest.mark.parametrize(
    ("_case", "data", "message"),
    [
        ("no scope", {"name": "X"}, "At least one scope is required"),
        ("no name", {"name": " ", "scopes": ["read:orders"]}, "Name is required"),
        (
            "bad ip",
            {"name": "X", "scopes": ["read:orders"], "allowed_ips": "nope"},
            "Not an IP address or CIDR range",
        ),
        (
            "past",
            {"name": "X", "scopes": ["read:orders"], "expires_on": "2001-01-01"},
            "Expiry must be in the future",
        ),
        (
            "bad date",
            {"name": "X", "scopes": ["read:orders"], "expires_on": "31/12"},
            "Enter a date as YYYY-MM-DD",
        ),
    ],
)
def test_create_errors_name_the_field_and_create_nothing(
    as_role: Callable[[str], Client],
    org: Organization,
    _case: str,
    data: dict[str, object],
    message: str,
) -> None:
    response = as_role("owner").post("/integrations/api-keys/new", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert ApiKey.objects.filter(org=org).count() == 0


def test_duplicate_name(as_role: Callable[[str], Client], key: ApiKey) -> None:
    response = as_role("owner").post(
        "/integrations/api-keys/new", {"name": "ERP sync", "scopes": ["read:orders"]}
    )
    assert "API key name already exists" in response.content.decode()


def test_list_is_masked(as_role: Callable[[str], Client], key: ApiKey) -> None:
    html = as_role("it_manager").get("/integrations/api-keys").content.decode()
    assert key.masked_key in html
    assert "Basic (60/min)" in html
    assert html.count('data-testid="key-row"') == 1


def test_edit(as_role: Callable[[str], Client], key: ApiKey) -> None:
    client = as_role("owner")
    assert (
        'value="ERP sync"' in client.get(f"/integrations/api-keys/{key.pk}/edit").content.decode()
    )
    response = client.post(
        f"/integrations/api-keys/{key.pk}/edit",
        {
            "name": "ERP sync 2",
            "scopes": ["read:products"],
            "rate_limit_tier": "premium",
            "allowed_ips": "10.0.0.0/8",
        },
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.name, key.scopes, key.rate_limit_tier, key.allowed_ips) == (
        "ERP sync 2",
        ["read:products"],
        "premium",
        ["10.0.0.0/8"],
    )


def test_lifecycle_suspend_reactivate_revoke(as_role: Callable[[str], Client], key: ApiKey) -> None:
    client = as_role("owner")
    client.post(f"/integrations/api-keys/{key.pk}/suspend")
    key.refresh_from_db()
    assert key.status == "suspended"
    client.post(f"/integrations/api-keys/{key.pk}/reactivate")
    key.refresh_from_db()
    assert key.status == "active"
    refused = client.post(f"/integrations/api-keys/{key.pk}/revoke", {"reason": ""}, follow=True)
    assert "A reason is required to revoke a key" in refused.content.decode()
    client.post(f"/integrations/api-keys/{key.pk}/revoke", {"reason": "leaked in a log"})
    key.refresh_from_db()
    assert (key.status, key.revocation_reason) == ("revoked", "leaked in a log")
    html = client.get(f"/integrations/api-keys/{key.pk}").content.decode()
    assert "leaked in a log" in html and "/reactivate" not in html


def test_regenerate_shows_a_new_key_once(as_role: Callable[[str], Client], key: ApiKey) -> None:
    old_prefix = key.key_prefix
    html = as_role("admin").post(f"/integrations/api-keys/{key.pk}/regenerate").content.decode()
    key.refresh_from_db()
    assert key.key_prefix != old_prefix
    assert f"mp_live_{key.key_prefix}" in html
    assert "Update all systems using this key" in html


@pytest.mark.parametrize(
    ("method", "path_tail", "data"),
    [
        ("get", "/new", {}),
        ("post", "/new", {"name": "Sneaky", "scopes": ["read:orders"]}),
        ("post", "/{pk}/edit", {"name": "Renamed", "scopes": ["read:orders"]}),
        ("post", "/{pk}/suspend", {}),
        ("post", "/{pk}/revoke", {"reason": "x"}),
        ("post", "/{pk}/regenerate", {}),
    ],
)
def test_it_manager_is_read_only(
    as_role: Callable[[str], Client],
    key: ApiKey,
    org: Organization,
    method: str,
    path_tail: str,
    data: dict[str, object],
) -> None:
    client = as_role("it_manager")
    before = (key.name, key.status, key.key_prefix)
    path = "/integrations/api-keys" + path_tail.format(pk=key.pk)
    response = getattr(client, method)(path, data)
    assert response.status_code == 403
    key.refresh_from_db()
    assert (key.name, key.status, key.key_prefix) == before
    assert ApiKey.objects.filter(org=org).count() == 1
    detail = client.get(f"/integrations/api-keys/{key.pk}").content.decode()
    assert "/suspend" not in detail and "/edit" not in detail


def test_another_orgs_key_is_404(
    as_role: Callable[[str], Client], other_org: Organization, make_user: Callable[..., User]
) -> None:
    foreign = api_key_create(
        org=other_org, by=make_user(other_org), name="Theirs", scopes=["read:orders"]
    ).key
    client = as_role("owner")
    assert client.get(f"/integrations/api-keys/{foreign.pk}").status_code == 404
    assert client.post(f"/integrations/api-keys/{foreign.pk}/suspend").status_code == 404
    assert (
        client.post(f"/integrations/api-keys/{foreign.pk}/edit", {"name": "x"}).status_code == 404
    )
    foreign.refresh_from_db()
    assert foreign.status == "active"


def test_edit_form_round_trips_allowed_ips(as_role: Callable[[str], Client], key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk).update(allowed_ips=["10.0.0.0/8", "192.0.2.1/32"])
    html = as_role("owner").get(f"/integrations/api-keys/{key.pk}/edit").content.decode()
    assert ">10.0.0.0/8\n192.0.2.1/32</textarea>" in html


def test_suspend_from_the_list_returns_to_the_list(
    as_role: Callable[[str], Client], key: ApiKey
) -> None:
    client = as_role("owner")
    assert (
        f"/integrations/api-keys/{key.pk}/suspend"
        in client.get("/integrations/api-keys").content.decode()
    )
    response = client.post(
        f"/integrations/api-keys/{key.pk}/suspend", {"next": "/integrations/api-keys"}
    )
    assert response["Location"] == "/integrations/api-keys"
    key.refresh_from_db()
    assert key.status == "suspended"
