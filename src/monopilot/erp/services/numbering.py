"""Gap-free document numbers per organisation, safe under concurrency.

The counter row is locked with SELECT … FOR UPDATE (PostgreSQL); SQLite serialises
writers already (transaction_mode IMMEDIATE), where select_for_update is a no-op. The
number is taken inside the caller's transaction, so a rolled-back document leaves no gap.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from monopilot.erp.models import DocumentCounter
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped


@transaction.atomic
def next_value(*, org: Organization, key: str) -> int:
    counter = _locked(org=org, key=key)
    if counter is None:
        DocumentCounter.objects.bulk_create(
            [DocumentCounter(org=org, key=key)], ignore_conflicts=True
        )
        counter = _locked(org=org, key=key)
    assert counter is not None
    counter.last_value += 1
    counter.save(update_fields=["last_value", "updated_at"])
    return counter.last_value


def _locked(*, org: Organization, key: str) -> DocumentCounter | None:
    return scoped(DocumentCounter, org).select_for_update().filter(key=key).first()


def yearly(*, org: Organization, prefix: str, day: date, width: int = 5) -> str:
    """PO-2026-00001, SO-…, SH-…, GRN-…: numbered per year."""
    value = next_value(org=org, key=f"{prefix}-{day.year}")
    return f"{prefix}-{day.year}-{value:0{width}d}"


def wo_number(*, org: Organization, day: date) -> str:
    """WO-20261125-0001: numbered per day."""
    stamp = day.strftime("%Y%m%d")
    return f"WO-{stamp}-{next_value(org=org, key=f'WO-{stamp}'):04d}"


def invoice_number(*, org: Organization, day: date) -> str:
    """FV/0001/11/2026: numbered per month (the issue date's)."""
    value = next_value(org=org, key=f"FV-{day.year}-{day.month:02d}")
    return f"FV/{value:04d}/{day.month:02d}/{day.year}"


def lp_number(*, org: Organization, prefix: str = "LP") -> str:
    return f"{prefix}{next_value(org=org, key='LP'):08d}"
