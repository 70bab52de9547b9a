"""API key lifecycle (FR-INT-002): create, edit, suspend/reactivate, revoke, regenerate.

Used by the console (a later issue builds the screens) and the CLI. Plaintext keys exist
only in the return value of create/regenerate ("shown once"); rows keep the digest.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from monopilot.apikeys import keyformat
from monopilot.apikeys.models import ApiKey, KeyStatus
from monopilot.apikeys.scopes import ScopeError, beyond_role, normalize
from monopilot.apikeys.tiers import Tier
from monopilot.apikeys.verify import publish_stamp
from monopilot.core.crypto import peppered_digest
from monopilot.integration_logs.services import log_integration
from monopilot.tenancy.models import Organization, User
from monopilot.tenancy.services import membership_for, user_can

COPY_NOW = "Copy this key now - it won't be shown again"
UPDATE_SYSTEMS = "Update all systems using this key"


class ApiKeyError(ValueError):
    """A refused change; `field` names the offending input (None: the whole request)."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    plaintext: str
    message: str = COPY_NOW


def pepper_version() -> int:
    return int(getattr(settings, "MONOPILOT_KEY_PEPPER_VERSION", 1))


# --- validation -------------------------------------------------------------------------


def _clean_name(org: Organization, name: str, exclude: ApiKey | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ApiKeyError("Name is required", "name")
    if len(name) > 100:
        raise ApiKeyError("Name must be at most 100 characters", "name")
    taken = ApiKey.objects.filter(org=org, name=name).exclude(status=KeyStatus.REVOKED)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ApiKeyError("API key name already exists", "name", "duplicate_name")
    return name


def _clean_scopes(scopes: Iterable[str], by: User | None, org: Organization) -> list[str]:
    try:
        cleaned = normalize(scopes)
    except ScopeError as exc:
        raise ApiKeyError(str(exc), "scopes") from exc
    if by is not None:
        membership = membership_for(user=by, org=org)
        too_much = beyond_role(membership.role if membership else "", cleaned)
        if too_much:
            raise ApiKeyError(
                f"Your role does not allow these scopes: {', '.join(too_much)}", "scopes"
            )
    return cleaned


def _clean_tier(tier: str | None) -> str:
    tier = (tier or "").strip()
    if tier and tier not in Tier.values:
        raise ApiKeyError(f"Unknown rate limit tier {tier!r}", "rate_limit_tier")
    return tier


def _clean_expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiKeyError("Expiry must be in the future", "expires_at")
    return expires_at


def clean_ips(ips: Iterable[str] | None) -> list[str]:
    out = []
    for raw in ips or []:
        try:
            out.append(str(ipaddress.ip_network(str(raw).strip(), strict=False)))
        except ValueError as exc:
            raise ApiKeyError(f"Not an IP address or CIDR range: {raw!r}", "allowed_ips") from exc
    return out


def _require_manager(by: User | None, org: Organization) -> None:
    if by is not None and not user_can(user=by, org=org, capability="integrations.manage"):
        raise ApiKeyError("You are not allowed to manage API keys", None, "forbidden")


# --- lifecycle ----------------------------------------------------------------------------


def _new_secret(environment: str) -> tuple[str, str, str]:
    plaintext = keyformat.generate(environment)
    parsed = keyformat.parse(plaintext)
    assert parsed is not None
    return plaintext, parsed.lookup, peppered_digest(plaintext, pepper_version=pepper_version())


def api_key_create(
    *,
    org: Organization,
    by: User | None,
    name: str,
    scopes: Iterable[str],
    environment: str = "live",
    rate_limit_tier: str | None = "",
    expires_at: datetime | None = None,
    allowed_ips: Iterable[str] | None = None,
) -> IssuedKey:
    _require_manager(by, org)
    if environment not in keyformat.ENVIRONMENTS:
        raise ApiKeyError("Environment must be live or test", "environment")
    fields: dict[str, Any] = {
        "name": _clean_name(org, name),
        "scopes": _clean_scopes(scopes, by, org),
        "rate_limit_tier": _clean_tier(rate_limit_tier),
        "expires_at": _clean_expiry(expires_at),
        "allowed_ips": clean_ips(allowed_ips),
    }
    for _ in range(3):  # a lookup-prefix collision (1 in 2e14) is simply retried
        plaintext, lookup, digest = _new_secret(environment)
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    org=org,
                    environment=environment,
                    key_prefix=lookup,
                    digest=digest,
                    pepper_version=pepper_version(),
                    created_by=by,
                    **fields,
                )
                _audit(key, "api_key.created", by)
            return IssuedKey(key=key, plaintext=plaintext)
        except IntegrityError as exc:
            if ApiKey.objects.filter(org=org, name=fields["name"]).exclude(status="revoked"):
                raise ApiKeyError("API key name already exists", "name", "duplicate_name") from exc
    raise ApiKeyError("Could not allocate a key prefix, try again")


@transaction.atomic
def api_key_update(*, key: ApiKey, by: User | None, **changes: Any) -> ApiKey:
    """Edit name, scopes, rate_limit_tier, expires_at, allowed_ips — never the key or org."""
    _require_manager(by, key.org)
    allowed = {"name", "scopes", "rate_limit_tier", "expires_at", "allowed_ips"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApiKeyError(f"Cannot change {', '.join(sorted(unknown))}", sorted(unknown)[0])
    if key.status == KeyStatus.REVOKED:
        raise ApiKeyError("A revoked key cannot be changed", None, "revoked")
    cleaners: dict[str, Callable[[Any], Any]] = {
        "name": lambda v: _clean_name(key.org, v, exclude=key),
        "scopes": lambda v: _clean_scopes(v, by, key.org),
        "rate_limit_tier": _clean_tier,
        "expires_at": _clean_expiry,
        "allowed_ips": clean_ips,
    }
    for field, value in changes.items():
        setattr(key, field, cleaners[field](value))
    return _save_changed(key, by, "api_key.updated", [*changes])


@transaction.atomic
def api_key_suspend(*, key: ApiKey, by: User | None) -> ApiKey:
    _require_manager(by, key.org)
    if key.status != KeyStatus.ACTIVE:
        raise ApiKeyError(f"Only an active key can be suspended (this one is {key.status})")
    key.status = KeyStatus.SUSPENDED
    return _save_changed(key, by, "api_key.suspended", ["status"])


@transaction.atomic
def api_key_reactivate(*, key: ApiKey, by: User | None) -> ApiKey:
    _require_manager(by, key.org)
    if key.status == KeyStatus.REVOKED:
        raise ApiKeyError("A revoked key cannot be reactivated", None, "revoked")
    if key.status != KeyStatus.SUSPENDED:
        raise ApiKeyError("Only a suspended key can be reactivated")
    key.status = KeyStatus.ACTIVE
    return _save_changed(key, by, "api_key.reactivated", ["status"])


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by: User | None, reason: str) -> ApiKey:
    """Permanent: a revoked key never works again and cannot be reactivated."""
    _require_manager(by, key.org)
    reason = (reason or "").strip()
    if not reason:
        raise ApiKeyError("A reason is required to revoke a key", "reason")
    if key.status == KeyStatus.REVOKED:
        raise ApiKeyError("This key is already revoked", None, "revoked")
    key.status = KeyStatus.REVOKED
    key.revoked_at = timezone.now()
    key.revoked_by = by
    key.revocation_reason = reason
    fields = ["status", "revoked_at", "revoked_by", "revocation_reason"]
    return _save_changed(key, by, "api_key.revoked", fields)


@transaction.atomic
def api_key_regenerate(*, key: ApiKey, by: User | None) -> IssuedKey:
    """New secret on the same key (name, scopes, tier kept); the old one is dead at once."""
    _require_manager(by, key.org)
    if key.status == KeyStatus.REVOKED:
        raise ApiKeyError("A revoked key cannot be regenerated", None, "revoked")
    old_lookup = key.key_prefix
    plaintext, lookup, digest = _new_secret(key.environment)
    key.key_prefix, key.digest, key.pepper_version = lookup, digest, pepper_version()
    key.regenerated_at = timezone.now()
    fields = ["key_prefix", "digest", "pepper_version", "regenerated_at"]
    _save_changed(key, by, "api_key.regenerated", fields, old_lookup=old_lookup)
    return IssuedKey(key=key, plaintext=plaintext, message=f"{COPY_NOW}. {UPDATE_SYSTEMS}")


def _save_changed(
    key: ApiKey, by: User | None, event: str, fields: list[str], old_lookup: str = ""
) -> ApiKey:
    key.stamp += 1
    key.save(update_fields=[*fields, "stamp", "updated_at"])
    _audit(key, event, by)

    def publish() -> None:
        publish_stamp(key)
        if old_lookup:
            from monopilot.apikeys.verify import cache

            cache.drop(old_lookup)

    publish()  # this process at once; others on commit (a reload before commit is harmless)
    transaction.on_commit(publish)
    return key


def _audit(key: ApiKey, event: str, by: User | None) -> None:
    log_integration(
        org=key.org_id,
        integration_type="api",
        direction="inbound",
        status="success",
        event_type=event,
        api_key_id=key.pk,
        external_id=key.display_prefix,
        metadata={"by": by.email if by else "cli", "name": key.name, "status": key.status},
    )
