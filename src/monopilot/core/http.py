"""The one hardened outbound HTTP module: nothing else in the code base opens sockets.

Rules enforced here for every caller:
- only http(s) URLs; HTTPS unless `MONOPILOT_ALLOW_PRIVATE_URLS` is on (development, tests);
- the SSRF guard runs on the *resolved* addresses at send time and the connection goes to
  the address that was checked (no second DNS lookup an attacker could rebind);
- redirects are never followed (a 3xx is an answer, not an instruction);
- a timeout on every request (`MONOPILOT_HTTP_TIMEOUT`, 30 s) and a cap on bodies read.

Two clients: `request()` here (httpx, synchronous: ordinary calls, the webhook test send)
and `core.postclient.PostClient` (asynchronous, the high-volume webhook dispatcher; see
docs/decisions/0200-outbox.md and 0201-lean-post-client.md), which uses the checks below.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings

MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "MonoPilot-Integrations/1.0"


class UnsafeURLError(ValueError):
    """The URL or the address it resolves to may not be called (SSRF guard, scheme)."""


def private_urls_allowed() -> bool:
    return bool(getattr(settings, "MONOPILOT_ALLOW_PRIVATE_URLS", False))


def default_timeout() -> float:
    return float(getattr(settings, "MONOPILOT_HTTP_TIMEOUT", 30))


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses (IPv4-mapped IPv6 unwrapped)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> tuple[str, str, int]:
    """Validate scheme and host syntax; return (scheme, host, port). No DNS here."""
    return _check_url(url, private_urls_allowed())


@lru_cache(maxsize=4096)
def _check_url(url: str, private_allowed: bool) -> tuple[str, str, int]:
    # Pure in (url, setting), and the dispatcher asks it for every delivery: cached.
    # Refusals raise, and exceptions are never cached.
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise UnsafeURLError("URL must start with https://")
    if scheme != "https" and not private_allowed:
        raise UnsafeURLError("Webhook URL must use HTTPS")
    host = parts.hostname
    if not host:
        raise UnsafeURLError("URL has no host")
    if parts.username or parts.password:
        raise UnsafeURLError("URL must not contain credentials")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURLError("URL has an invalid port") from exc
    if is_ip_literal(host) and not private_allowed and not is_public_address(host):
        raise UnsafeURLError(f"Address {host} is private, loopback, link-local or reserved")
    return scheme, host, port


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def resolve_safe(host: str, port: int) -> list[str]:
    """Resolve `host` and return its addresses, refusing when any is not public.

    Refusing when *any* address is private (rather than filtering) stops a name that
    answers with both a public and an internal address from being half-trusted.
    """
    if is_ip_literal(host):
        addresses = [host]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise ConnectionError(f"Cannot resolve {host}: {exc.strerror}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    refuse_private_addresses(host, addresses)
    return addresses


def refuse_private_addresses(host: str, addresses: list[str]) -> None:
    """The SSRF guard on resolved addresses (unless private URLs are allowed)."""
    if private_urls_allowed():
        return
    bad = [a for a in addresses if not is_public_address(a)]
    if bad:
        raise UnsafeURLError(
            f"{host} resolves to {bad[0]}, a private, loopback, link-local or reserved address"
        )


# --- synchronous client (httpx) ---------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]  # looked up without regard to case (`postclient.Headers`)
    body: bytes
    duration_ms: int
    truncated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self, limit: int = 4096) -> str:
        return self.body[:limit].decode("utf-8", errors="replace")


def request(
    method: str,
    url: str,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Response:
    """One request through the guard. Connects to the checked address, SNI/Host = the name."""
    scheme, host, port = check_url(url)
    address = resolve_safe(host, port)[0]
    parts = urlsplit(url)
    netloc_ip = f"[{address}]" if ":" in address else address
    target = urlunsplit((scheme, f"{netloc_ip}:{port}", parts.path or "/", parts.query, ""))
    sent_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    sent_headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
    limit = timeout or default_timeout()
    started = time.perf_counter()
    with (
        httpx.Client(timeout=limit, follow_redirects=False, trust_env=False) as client,
        client.stream(
            method,
            target,
            content=content,
            headers=sent_headers,
            extensions={"sni_hostname": host},
        ) as response,
    ):
        body, truncated = _read_capped(response)
    return Response(
        status=response.status_code,
        headers=dict(response.headers),
        body=body,
        duration_ms=int((time.perf_counter() - started) * 1000),
        truncated=truncated,
    )


def _read_capped(response: httpx.Response) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_RESPONSE_BYTES:
            return b"".join(chunks)[:MAX_RESPONSE_BYTES], True
    return b"".join(chunks), False
