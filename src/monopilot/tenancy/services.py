from __future__ import annotations

from django.db import transaction

from monopilot.tenancy.models import Membership, Organization, Plan, User
from monopilot.tenancy.roles import Role, has_capability

INTEGRATIONS = "integrations"


def integrations_enabled(org: Organization) -> bool:
    """The module gate: premium plan and the module switched on."""
    return org.plan in (Plan.GROWTH, Plan.ENTERPRISE) and INTEGRATIONS in org.modules_enabled


def organization_create(
    *, name: str, slug: str, plan: str = Plan.FREE, modules: list[str] | None = None, **extra: str
) -> Organization:
    return Organization.objects.create(
        name=name, slug=slug, plan=plan, modules_enabled=modules or [], **extra
    )


@transaction.atomic
def member_add(*, org: Organization, email: str, role: str, password: str | None = None) -> User:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    user = User.objects.filter(email=email.lower()).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password)
    Membership.objects.update_or_create(user=user, org=org, defaults={"role": role})
    return user


def membership_for(*, user: User, org: Organization) -> Membership | None:
    return (
        Membership.objects.filter(user=user, org=org, is_active=True).select_related("org").first()
    )


def user_can(*, user: User, org: Organization, capability: str) -> bool:
    membership = membership_for(user=user, org=org)
    return membership is not None and has_capability(membership.role, capability)
