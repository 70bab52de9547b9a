"""Shared fixtures: two organisations (for isolation tests) and users per role."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from monopilot.tenancy.models import Organization, Plan, User
from monopilot.tenancy.services import member_add, organization_create


@pytest.fixture
def org(db: None) -> Organization:
    return organization_create(
        name="Test Foods sp. z o.o.", slug="test", plan=Plan.GROWTH, modules=["integrations"]
    )


@pytest.fixture
def other_org(db: None) -> Organization:
    return organization_create(
        name="Other Foods S.A.", slug="other", plan=Plan.GROWTH, modules=["integrations"]
    )


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = {"n": 0}

    def make(org: Organization, role: str = "owner", email: str | None = None) -> User:
        counter["n"] += 1
        address = email or f"{role}{counter['n']}@{org.slug}.test"
        return member_add(org=org, email=address, role=role, password="pw-test-123")

    return make


@pytest.fixture
def owner(org: Organization, make_user: Callable[..., User]) -> User:
    return make_user(org, "owner")


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language. A request served in Polish leaves Polish
    active in the thread (LocaleMiddleware activates, nothing deactivates), and a later
    test that formats text without a request then spoke Polish, depending on test order."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _log_gate(request: pytest.FixtureRequest) -> None:
    """Keep the append-only guard armed in every test, and let the test-database flush of
    transactional tests pass it (the purge gate is the only door for deletes)."""
    if "django_db" not in request.keywords and "db" not in request.fixturenames:
        return
    if "transactional_db" in request.fixturenames or _is_transactional(request):
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    from monopilot.integration_logs.models import PurgeGate

    PurgeGate.objects.update_or_create(id=1, defaults={"is_open": False})
    if _is_transactional(request):
        request.addfinalizer(
            lambda: PurgeGate.objects.update_or_create(id=1, defaults={"is_open": True})
        )


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))


# --- real Chromium, one per test process (a second sync_playwright in the same thread fails) --
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="Debian chromium (/usr/bin/chromium) is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
