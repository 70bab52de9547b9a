"""Key format, lifecycle services, scopes and the CLI (FR-INT-002/003)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from monopilot.apikeys import keyformat
from monopilot.apikeys.models import ApiKey
from monopilot.apikeys.scopes import ScopeError, normalize
from monopilot.apikeys.selectors import api_key_list, expiry_warning, masked_row
from monopilot.apikeys.services import (
    ApiKeyError,
    api_key_create,
    api_key_reactivate,
    api_key_regenerate,
    api_key_revoke,
    api_key_suspend,
    api_key_update,
)
from monopilot.core.crypto import peppered_digest
from monopilot.integration_logs.models import IntegrationLog
from monopilot.tenancy.models import Organization, User


def test_format_and_offline_checksum() -> None:
    key = keyformat.generate("live")
    assert key.startswith("mp_live_") and len(key) == 8 + 32 + 6
    assert keyformat.looks_like_key(key)
    assert keyformat.generate("test").startswith("mp_test_")
    tampered = key[:-7] + ("A" if key[-7] != "A" else "B") + key[-6:]
    assert not keyformat.looks_like_key(tampered)
    assert not keyformat.looks_like_key("mp_live_short")
    parsed = keyformat.parse(key)
    assert parsed is not None and parsed.lookup == key[8:16]


def test_create_stores_digest_not_key(org: Organization, owner: User) -> None:
    issued = api_key_create(
        org=org, by=owner, name="Mobile App Production", scopes=["write:orders"]
    )
    key = ApiKey.objects.get(pk=issued.key.pk)
    assert issued.message == "Copy this key now - it won't be shown again"
    assert key.digest == peppered_digest(issued.plaintext, pepper_version=key.pepper_version)
    assert issued.plaintext not in json.dumps(masked_row(key))
    assert key.key_prefix == issued.plaintext[8:16]
    assert key.scopes == ["read:orders", "write:orders"]  # write implies read
    assert masked_row(key)["key"] == f"mp_live_{key.key_prefix}••••••••"
    assert IntegrationLog.objects.filter(api_key_id=key.pk, event_type="api_key.created").exists()


def test_name_unique_per_org_but_free_after_revoke(
    org: Organization, other_org: Organization
) -> None:
    first = api_key_create(org=org, by=None, name="ERP", scopes=["read:products"]).key
    with pytest.raises(ApiKeyError, match="API key name already exists"):
        api_key_create(org=org, by=None, name="ERP", scopes=["read:products"])
    api_key_create(org=other_org, by=None, name="ERP", scopes=["read:products"])
    api_key_revoke(key=first, by=None, reason="rotated")
    api_key_create(org=org, by=None, name="ERP", scopes=["read:products"])


@pytest.mark.parametrize(
    ("scopes", "message"),
    [([], "At least one scope is required"), (["user:manage"], "Unknown scope: user:manage")],
)
def test_scope_validation(org: Organization, scopes: list[str], message: str) -> None:
    with pytest.raises(ApiKeyError, match=message) as info:
        api_key_create(org=org, by=None, name="x", scopes=scopes)
    assert info.value.field == "scopes"
    assert not ApiKey.objects.exists()


def test_scopes_normalise() -> None:
    assert normalize(["write:products", "read:products", "webhook:manage"]) == [
        "read:products",
        "webhook:manage",
        "write:products",
    ]
    with pytest.raises(ScopeError):
        normalize(["read:everything"])


def test_only_managers_create_and_never_beyond_role(
    org: Organization, make_user: Callable[..., User]
) -> None:
    it = make_user(org, "it_manager")
    with pytest.raises(ApiKeyError, match="not allowed to manage API keys"):
        api_key_create(org=org, by=it, name="x", scopes=["read:products"])
    admin = make_user(org, "admin")
    api_key_create(org=org, by=admin, name="x", scopes=["write:invoices", "webhook:manage"])


def test_role_bounds_scopes() -> None:
    from monopilot.apikeys.scopes import beyond_role

    assert beyond_role("owner", ["write:orders", "webhook:manage"]) == []
    assert beyond_role("viewer", ["read:products", "write:products"]) == ["write:products"]
    assert beyond_role("planner", ["write:orders", "write:invoices"]) == ["write:invoices"]


def test_edit_suspend_reactivate_revoke(org: Organization, owner: User) -> None:
    key = api_key_create(org=org, by=owner, name="a", scopes=["read:products"]).key
    stamp = key.stamp
    api_key_update(
        key=key,
        by=owner,
        name="b",
        scopes=["write:inventory"],
        rate_limit_tier="premium",
        allowed_ips=["10.0.0.0/8", "192.168.1.7"],
    )
    key.refresh_from_db()
    assert (key.name, key.rate_limit_tier) == ("b", "premium")
    assert key.allowed_ips == ["10.0.0.0/8", "192.168.1.7/32"]
    assert key.scopes == ["read:inventory", "write:inventory"]
    assert key.stamp > stamp
    with pytest.raises(ApiKeyError, match="Cannot change digest"):
        api_key_update(key=key, by=owner, digest="x")
    with pytest.raises(ApiKeyError, match="Not an IP address"):
        api_key_update(key=key, by=owner, allowed_ips=["10.0.0.300"])
    with pytest.raises(ApiKeyError, match="Unknown rate limit tier"):
        api_key_update(key=key, by=owner, rate_limit_tier="gold")
    api_key_suspend(key=key, by=owner)
    assert key.status == "suspended"
    api_key_reactivate(key=key, by=owner)
    assert key.status == "active"
    with pytest.raises(ApiKeyError, match="A reason is required"):
        api_key_revoke(key=key, by=owner, reason=" ")
    api_key_revoke(key=key, by=owner, reason="laptop stolen")
    key.refresh_from_db()
    assert key.status == "revoked" and key.revoked_by == owner and key.revoked_at
    assert key.revocation_reason == "laptop stolen"
    with pytest.raises(ApiKeyError, match="A revoked key cannot be reactivated"):
        api_key_reactivate(key=key, by=owner)
    with pytest.raises(ApiKeyError, match="A revoked key cannot be regenerated"):
        api_key_regenerate(key=key, by=owner)
    events = set(
        IntegrationLog.objects.filter(api_key_id=key.pk).values_list("event_type", flat=True)
    )
    assert {"api_key.suspended", "api_key.reactivated", "api_key.revoked"} <= events


def test_regenerate_keeps_settings_and_changes_secret(org: Organization) -> None:
    issued = api_key_create(
        org=org, by=None, name="a", scopes=["read:orders"], rate_limit_tier="standard"
    )
    again = api_key_regenerate(key=issued.key, by=None)
    assert again.plaintext != issued.plaintext
    assert "Update all systems using this key" in again.message
    key = ApiKey.objects.get(pk=issued.key.pk)
    assert (key.name, key.scopes, key.rate_limit_tier) == ("a", ["read:orders"], "standard")
    assert key.key_prefix == again.plaintext[8:16]


def test_expiry_validation_and_warning(org: Organization) -> None:
    with pytest.raises(ApiKeyError, match="Expiry must be in the future"):
        api_key_create(
            org=org,
            by=None,
            name="x",
            scopes=["read:orders"],
            expires_at=timezone.now() - timedelta(minutes=1),
        )
    key = api_key_create(
        org=org,
        by=None,
        name="x",
        scopes=["read:orders"],
        expires_at=timezone.now() + timedelta(days=7),
    ).key
    assert expiry_warning(key) == "Expires in 7 days"
    assert masked_row(key)["expiry_warning"] == "Expires in 7 days"
    key.expires_at = timezone.now() + timedelta(days=8)
    assert expiry_warning(key) == ""
    key.expires_at = timezone.now() + timedelta(hours=3)
    assert expiry_warning(key) == "Expires in 1 day"
    key.expires_at = timezone.now() - timedelta(seconds=1)
    assert expiry_warning(key) == "Expired"


def test_cli_create_list_revoke(org: Organization) -> None:
    out = StringIO()
    call_command(
        "apikey",
        "create",
        "--org",
        "test",
        "--name",
        "ci",
        "--scopes",
        "read:products,write:orders",
        "--tier",
        "standard",
        "--ip",
        "10.1.0.0/16",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert set(data) == {"id", "key", "prefix"}
    assert keyformat.looks_like_key(data["key"]) and data["key"].startswith(data["prefix"])
    key = ApiKey.objects.get(pk=data["id"])
    assert key.allowed_ips == ["10.1.0.0/16"] and key.rate_limit_tier == "standard"
    out = StringIO()
    call_command("apikey", "list", "--org", "test", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows[0]["key"].endswith("••••••••") and data["key"] not in out.getvalue()
    out = StringIO()
    call_command(
        "apikey", "revoke", "--org", "test", data["prefix"], "--reason", "done", stdout=out
    )
    assert "revoked" in out.getvalue()
    assert ApiKey.objects.get(pk=data["id"]).status == "revoked"
    with pytest.raises(CommandError, match="At least one scope is required"):
        call_command("apikey", "create", "--org", "test", "--name", "x", "--scopes", ",")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("apikey", "list", "--org", "nope")


def test_list_is_tenant_scoped(org: Organization, other_org: Organization) -> None:
    api_key_create(org=other_org, by=None, name="theirs", scopes=["read:orders"])
    assert list(api_key_list(org=org)) == []
