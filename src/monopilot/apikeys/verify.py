"""Key verification on the request path: a few microseconds when the key is cached.

A verified key is cached in-process for a few seconds (MONOPILOT_APIKEY_CACHE_SECONDS).
Every change that matters (suspend, revoke, regenerate, edit) bumps the key's `stamp` and
publishes it through the limiter; the limiter returns the published stamp with each
rate-limit decision (same Redis round trip), and a mismatch reloads the key at once. So a
revoked key stops working on the next request in every process, at no extra cost.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.utils import timezone

from monopilot.api.context import ApiPrincipal
from monopilot.api.errors import ApiError
from monopilot.apikeys.keyformat import ParsedKey, display_prefix, parse
from monopilot.apikeys.models import ApiKey
from monopilot.apikeys.ratelimit import Decision, get_limiter, unlimited
from monopilot.apikeys.tiers import TierLimits, limits_for
from monopilot.core.crypto import constant_time_equals, peppered_digest
from monopilot.tenancy.services import integrations_enabled

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

INVALID = "Invalid API key"
MAX_CACHED = 50_000


@dataclass
class CachedKey:
    key: ApiKey  # with .org loaded; treated as read-only
    scopes: frozenset[str]
    limits: TierLimits
    allowed: tuple[Network, ...]
    trusted: tuple[Network, ...]
    module_on: bool
    loaded: float


@dataclass
class Verified:
    principal: ApiPrincipal
    rate: Decision


def networks(cidrs: list[str] | Any) -> tuple[Network, ...]:
    out = []
    for cidr in cidrs or []:
        try:
            out.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
        except ValueError:
            continue  # validated on write; a bad legacy value must not break auth
    return tuple(out)


def ip_in(ip: str, nets: tuple[Network, ...]) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr in net for net in nets)


class KeyCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, CachedKey | None] = {}
        self._times: dict[str, float] = {}

    def get(self, lookup: str) -> tuple[bool, CachedKey | None]:
        loaded = self._times.get(lookup)
        if loaded is None or time.monotonic() - loaded > _ttl():
            return False, None
        return True, self._items.get(lookup)

    def put(self, lookup: str, item: CachedKey | None) -> None:
        with self._lock:
            if len(self._items) > MAX_CACHED:  # bounded: made-up prefixes must not grow it
                self._items.clear()
                self._times.clear()
            self._items[lookup] = item
            self._times[lookup] = time.monotonic()

    def drop(self, lookup: str) -> None:
        with self._lock:
            self._items.pop(lookup, None)
            self._times.pop(lookup, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._times.clear()


def _ttl() -> float:
    return float(getattr(settings, "MONOPILOT_APIKEY_CACHE_SECONDS", 5))


cache = KeyCache()


def _load(lookup: str) -> CachedKey | None:
    key = ApiKey.objects.select_related("org").filter(key_prefix=lookup).first()
    if key is None:
        return None
    org = key.org
    return CachedKey(
        key=key,
        scopes=frozenset(key.scopes or ()),
        limits=limits_for(key.effective_tier(org)),
        allowed=networks(key.allowed_ips),
        trusted=networks(org.trusted_ips),
        module_on=integrations_enabled(org) and org.is_active,
        loaded=time.monotonic(),
    )


def _cached(lookup: str, *, fresh: bool = False) -> CachedKey | None:
    hit, item = (False, None) if fresh else cache.get(lookup)
    if not hit:
        item = _load(lookup)
        cache.put(lookup, item)
    return item


def authenticate(raw: str, ip: str, now: datetime | None = None) -> Verified:
    """The principal for a presented key, or ApiError (401/402/403/429)."""
    parsed = parse(raw.strip())
    if parsed is None:
        raise ApiError(401, "invalid_api_key", INVALID)
    item = _cached(parsed.lookup)
    item = _check(item, parsed, ip, now)
    limiter = get_limiter()
    ident = str(item.key.pk)
    if item.trusted and ip_in(ip, item.trusted):
        rate, stamp = unlimited(item.limits), limiter.stamp(ident)
    else:
        rate = limiter.hit(ident, item.limits)
        stamp = rate.stamp
    if stamp and stamp != str(item.key.stamp):
        item = _check(_cached(parsed.lookup, fresh=True), parsed, ip, now)
    if not rate.allowed:
        raise ApiError(
            429,
            "rate_limited",
            "Rate limit exceeded",
            {"retry_after": rate.retry_after},
            headers=rate.headers(),
        )
    return Verified(principal=_principal(item), rate=rate)


def _check(item: CachedKey | None, parsed: ParsedKey, ip: str, now: datetime | None) -> CachedKey:
    if item is None:
        raise ApiError(401, "invalid_api_key", INVALID)
    key = item.key
    digest = peppered_digest(parsed.full, pepper_version=key.pepper_version)
    if not constant_time_equals(digest, key.digest):
        raise ApiError(401, "invalid_api_key", INVALID)
    if key.status == "revoked":
        raise ApiError(401, "api_key_revoked", "API key has been revoked")
    if key.status == "suspended":
        raise ApiError(401, "api_key_suspended", "API key has been suspended")
    if key.expires_at is not None and key.expires_at <= (now or timezone.now()):
        raise ApiError(401, "api_key_expired", "API key has expired")
    if not item.module_on:
        raise ApiError(
            402,
            "module_disabled",
            "The Integrations module is not enabled for this organisation "
            "(growth or enterprise plan with the module switched on)",
        )
    if item.allowed and not ip_in(ip, item.allowed):
        raise ApiError(403, "ip_not_allowed", f"IP address {ip} is not allowed to use this API key")
    return item


def _principal(item: CachedKey) -> ApiPrincipal:
    key = item.key
    return ApiPrincipal(
        org=key.org,
        key_id=key.pk,
        scopes=item.scopes,
        key_prefix=display_prefix(key.environment, key.key_prefix),
        extra={"tier": item.limits.name, "environment": key.environment},
    )


def known_key_id(raw: str) -> tuple[UUID, UUID] | None:
    """(key id, org id) of a presented key whose prefix is known — to log failed attempts."""
    parsed = parse(raw.strip())
    if parsed is None:
        return None
    item = _cached(parsed.lookup)
    if item is None:
        return None
    return item.key.pk, item.key.org_id


def publish_stamp(key: ApiKey) -> None:
    """Make every process drop its cached copy of `key` (called by the services)."""
    cache.drop(key.key_prefix)
    get_limiter().set_stamp(str(key.pk), key.stamp)
