"""The one door to tenant data: every query on a tenant table goes through these helpers."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from monopilot.tenancy.models import Organization

M = TypeVar("M", bound=models.Model)


def scoped(model: type[M], org: Organization) -> models.QuerySet[M]:
    """All rows of `model` that belong to `org`."""
    if org is None or not getattr(org, "pk", None):
        raise ValueError("a tenant query needs an organisation")
    return model._default_manager.filter(org=org)


def get_scoped(model: type[M], org: Organization, **lookup: Any) -> M:
    """One row of `org`, or Http404: another tenant's id looks exactly like a missing one."""
    try:
        return scoped(model, org).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, ValidationError) as exc:
        raise Http404(f"{model._meta.verbose_name} not found") from exc
