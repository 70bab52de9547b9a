from __future__ import annotations

import pytest
from django.http import Http404

from monopilot.events.models import Event
from monopilot.events.services import publish
from monopilot.tenancy.models import Organization, Plan
from monopilot.tenancy.roles import Role, can, has_capability
from monopilot.tenancy.scoping import get_scoped, scoped
from monopilot.tenancy.services import integrations_enabled, user_can


@pytest.fixture
def _catalogue_type() -> None:
    from monopilot.events import catalogue

    if "test.ping" not in catalogue.names():
        catalogue.register(
            catalogue.EventType(
                name="test.ping",
                description="test",
                schema=catalogue.obj({"n": catalogue.INT}),
                example={"n": 1},
            )
        )


@pytest.mark.usefixtures("_catalogue_type")
def test_scoped_queries_never_cross_tenants(org: Organization, other_org: Organization) -> None:
    mine = publish(org=org, type="test.ping", data={"n": 1})
    theirs = publish(org=other_org, type="test.ping", data={"n": 2})
    assert list(scoped(Event, org)) == [mine]
    assert list(scoped(Event, other_org)) == [theirs]
    assert get_scoped(Event, org, pk=mine.pk) == mine
    with pytest.raises(Http404):
        get_scoped(Event, org, pk=theirs.pk)
    with pytest.raises(Http404):
        get_scoped(Event, org, pk="not-a-uuid")


def test_scoped_refuses_a_missing_organisation(db: None) -> None:
    with pytest.raises(ValueError, match="needs an organisation"):
        scoped(Event, None)  # type: ignore[arg-type]


def test_module_gate(org: Organization) -> None:
    assert integrations_enabled(org)
    org.modules_enabled = []
    assert not integrations_enabled(org)
    org.modules_enabled = ["integrations"]
    org.plan = Plan.FREE
    assert not integrations_enabled(org)
    org.plan = Plan.ENTERPRISE
    assert integrations_enabled(org)


def test_roles_and_capabilities(org: Organization, make_user: object) -> None:
    assert can(Role.OWNER, "integrations", "D")
    assert can(Role.IT_MANAGER, "integrations", "R")
    assert not can(Role.IT_MANAGER, "integrations", "U")
    assert not can(Role.VIEWER, "integrations", "R")
    assert has_capability(Role.ACCOUNTANT, "finance.mapping")
    assert not has_capability(Role.IT_MANAGER, "integrations.manage")
    admin = make_user(org, "admin")  # type: ignore[operator]
    viewer = make_user(org, "viewer")  # type: ignore[operator]
    assert user_can(user=admin, org=org, capability="integrations.manage")
    assert not user_can(user=viewer, org=org, capability="integrations.view")
    other = Organization.objects.create(name="X", slug="x")
    assert not user_can(user=admin, org=other, capability="integrations.view")
