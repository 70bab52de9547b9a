"""Field helpers and the gap-free document counter shared by every erp model."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from monopilot.tenancy.models import TenantModel

ZERO = Decimal("0")


def money_field(**kwargs: Any) -> models.DecimalField[Any, Any]:
    """Amounts: 15 digits, 2 decimals (grosz)."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(max_digits=15, decimal_places=2, **kwargs)


def qty_field(**kwargs: Any) -> models.DecimalField[Any, Any]:
    """Quantities and unit prices: 15 digits, 4 decimals."""
    return models.DecimalField(max_digits=15, decimal_places=4, **kwargs)


def list_indexes(short: str) -> list[models.Index]:
    """Indexes behind the API's cursor pages (ordered by created_at or updated_at, then id)."""
    return [
        models.Index(fields=["org", "created_at", "id"], name=f"erp_{short}_org_created"),
        models.Index(fields=["org", "updated_at", "id"], name=f"erp_{short}_org_updated"),
    ]


class DocumentCounter(TenantModel):
    """One gap-free sequence per organisation and key (e.g. "PO-2026", "FV-2026-11")."""

    key = models.CharField(max_length=40)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "document_counters"
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="erp_counter_key")]

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


class ErpSettings(TenantModel):
    """Per-organisation identifiers the stand-in needs (upstream keeps these in
    warehouse/shipping settings): the GS1 company prefix for SSCCs and the LP prefix."""

    gs1_company_prefix = models.CharField(max_length=12, blank=True)
    lp_prefix = models.CharField(max_length=10, default="LP")

    class Meta:
        db_table = "erp_settings"
        constraints = [models.UniqueConstraint(fields=["org"], name="erp_settings_one_per_org")]

    def __str__(self) -> str:
        return f"erp settings of {self.org_id}"
