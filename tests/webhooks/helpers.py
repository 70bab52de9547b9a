"""Fixtures and helpers shared by tests/webhooks and tests/outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from ninja import NinjaAPI, Router

from monopilot.api.context import ApiPrincipal
from monopilot.api.errors import ApiError
from monopilot.events import catalogue
from monopilot.events.models import Event
from monopilot.events.services import publish
from monopilot.tenancy.models import Organization
from monopilot.webhooks import services
from monopilot.webhooks.models import Endpoint
from monopilot.webhooks.receiver import Receiver

TYPES = ("whtest.created", "whtest.updated", "whtest.other")


def register_types() -> None:
    for name in TYPES:
        if name not in catalogue.names():
            catalogue.register(
                catalogue.EventType(
                    name=name,
                    description=f"{name} (webhook tests)",
                    schema=catalogue.obj({"number": catalogue.STR}),
                    example={"number": "SO-1"},
                )
            )


@pytest.fixture(autouse=True)
def _event_types() -> None:
    register_types()


@pytest.fixture
def allow_private() -> Iterator[None]:
    with override_settings(MONOPILOT_ALLOW_PRIVATE_URLS=True):
        yield


@pytest.fixture
def receiver(allow_private: None) -> Iterator[Receiver]:
    rx = Receiver()
    rx.url = rx.start()  # type: ignore[attr-defined]
    yield rx
    rx.stop()


@pytest.fixture
def make_endpoint(org: Organization) -> Callable[..., tuple[Endpoint, str]]:
    counter = {"n": 0}

    def make(url: str, **kwargs: Any) -> tuple[Endpoint, str]:
        counter["n"] += 1
        kwargs.setdefault("name", f"hook {counter['n']}")
        kwargs.setdefault("event_types", ["whtest.created"])
        return services.endpoint_create(org=kwargs.pop("org", org), url=url, **kwargs)

    return make


def emit(org: Organization, type: str = "whtest.created", number: str = "SO-1", **kw: Any) -> Event:
    return publish(org=org, type=type, data={"number": number}, **kw)


def api_client(
    org: Organization, scopes: frozenset[str] = frozenset({"webhook:manage"}), **routers: Router
) -> Any:
    """A tiny NinjaAPI mounting our routers with a fixed principal (no key framework)."""
    from ninja.testing import TestClient

    api = NinjaAPI(urls_namespace=f"t-{uuid.uuid4().hex}")

    def auth(request: HttpRequest) -> ApiPrincipal:
        principal = ApiPrincipal(org=org, key_id=None, scopes=scopes)
        request.auth = principal  # type: ignore[attr-defined]
        return principal

    @api.exception_handler(ApiError)
    def render(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return api.create_response(request, exc.body(), status=exc.status)

    for name, router in routers.items():
        api.add_router(f"/{name.replace('_', '-')}", router, auth=auth)
    return TestClient(api)
