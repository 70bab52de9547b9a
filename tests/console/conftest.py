"""Fixtures of the console tests: signed-in clients per role and log rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from monopilot.integration_logs.models import IntegrationLog
from monopilot.integration_logs.services import log_integration
from monopilot.tenancy.models import Organization, Plan, User
from monopilot.tenancy.services import organization_create


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    def do(user: User) -> Client:
        client.force_login(user)
        return client

    return do


@pytest.fixture
def as_role(
    org: Organization, make_user: Callable[..., User], login: Callable[[User], Client]
) -> Callable[[str], Client]:
    """A client signed in as a fresh user with `role` in `org`."""

    def do(role: str) -> Client:
        return login(make_user(org, role))

    return do


@pytest.fixture
def free_org(db: None) -> Organization:
    return organization_create(name="Free Foods", slug="free", plan=Plan.FREE)


@pytest.fixture
def make_log(org: Organization) -> Callable[..., IntegrationLog]:
    def make(
        target: Organization | None = None, minutes_ago: float = 5, **fields: Any
    ) -> IntegrationLog:
        defaults: dict[str, Any] = {
            "integration_type": "webhook",
            "direction": "outbound",
            "status": "success",
            "event_type": "order.created",
        }
        defaults.update(fields)
        row = log_integration(
            org=target or org,
            timestamp=timezone.now() - timedelta(minutes=minutes_ago),
            **defaults,
        )
        assert row is not None
        return row

    return make
