"""SSRF guard: private, loopback, link-local and metadata addresses are refused — as URL
literals at configuration time, and on the resolved address at send time."""

from __future__ import annotations

import socket

import pytest
from django.test import override_settings

from monopilot.core import http
from monopilot.outbox.dispatcher import drain_once
from monopilot.outbox.errors import ServiceError
from monopilot.outbox.models import Message
from monopilot.webhooks import services
from webhooks.helpers import emit

BAD = ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fd00::1", "100.64.0.1", "0.0.0.0"]


@pytest.fixture
def resolve_to(monkeypatch: pytest.MonkeyPatch):
    real = socket.getaddrinfo

    def install(address: str) -> None:
        def fake(host, port, *args, **kwargs):
            if str(host).endswith(".example"):
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                return [(family, socket.SOCK_STREAM, 6, "", (address, port or 443))]
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", fake)

    return install


@pytest.mark.parametrize("address", BAD)
def test_private_literals_are_refused_when_configured(org, address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(ServiceError) as err:
        services.endpoint_create(
            org=org, name="x", url=f"https://{host}/h", event_types=["whtest.created"]
        )
    assert "private, loopback, link-local or reserved" in err.value.message
    assert err.value.details == {"field": "url"}


def test_plain_http_is_refused_in_production(org) -> None:
    with pytest.raises(ServiceError, match="Webhook URL must use HTTPS"):
        services.endpoint_create(
            org=org, name="x", url="http://hooks.example.com/h", event_types=["whtest.created"]
        )


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254"])
def test_hostname_resolving_to_private_address_is_refused_at_send_time(
    org, resolve_to, address: str
) -> None:
    resolve_to(address)
    endpoint, _ = services.endpoint_create(
        org=org, name="x", url="https://internal.example/hook", event_types=["whtest.created"]
    )
    emit(org)
    [outcome] = drain_once()
    assert not outcome.ok and outcome.http_status is None
    assert outcome.error.startswith("Refused by the SSRF guard: internal.example resolves to")
    message = Message.objects.get()
    assert message.status == "dead" and "SSRF" in message.dead_reason
    result = services.endpoint_test(endpoint=endpoint)  # the httpx path refuses too
    assert not result.ok and "resolves to" in result.error


def test_localhost_by_name_is_refused(org) -> None:
    with pytest.raises(http.UnsafeURLError, match="private, loopback"):
        http.resolve_safe("localhost", 443)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254"])
def test_literal_stored_while_allowed_is_still_refused_at_send_time(org, address: str) -> None:
    with override_settings(MONOPILOT_ALLOW_PRIVATE_URLS=True):
        services.endpoint_create(
            org=org, name="x", url=f"https://{address}/hook", event_types=["whtest.created"]
        )
    emit(org)
    [outcome] = drain_once()
    assert "Refused by the SSRF guard" in outcome.error


def test_sync_client_refuses_a_name_resolving_to_metadata(resolve_to) -> None:
    resolve_to("169.254.169.254")
    with pytest.raises(http.UnsafeURLError, match=r"169\.254\.169\.254"):
        http.request("GET", "https://metadata.example/latest")


def test_public_addresses_pass_the_check() -> None:
    assert http.is_public_address("93.184.216.34")
    assert http.is_public_address("2606:2800:220:1:248:1893:25c8:1946")
    assert not http.is_public_address("::ffff:127.0.0.1")
    assert not http.is_public_address("224.0.0.1")
