"""Work orders and the ADR-007 state machine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from monopilot.erp import payloads
from monopilot.erp.models import (
    Bom,
    LicensePlate,
    Location,
    LpSource,
    Product,
    SourceOfDemand,
    WoPriority,
    WorkOrder,
    WoStatus,
)
from monopilot.erp.services import numbering
from monopilot.erp.services.catalog import active_bom
from monopilot.erp.services.common import (
    check_transition,
    emit,
    fail,
    local_today,
    non_negative,
    positive,
)
from monopilot.erp.services.inventory import _new_lp, stock_watch
from monopilot.tenancy.models import Organization

S = WoStatus
WO_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.PLANNED, S.CANCELLED),
    S.PLANNED: (S.RELEASED, S.CANCELLED),
    S.RELEASED: (S.IN_PROGRESS, S.CANCELLED),
    S.IN_PROGRESS: (S.ON_HOLD, S.COMPLETED),
    S.ON_HOLD: (S.IN_PROGRESS, S.CANCELLED),
    S.COMPLETED: (S.CLOSED,),
}


@transaction.atomic
def wo_create(
    *,
    org: Organization,
    product: Product,
    planned_quantity: Decimal | str,
    bom: Bom | None = None,
    planned_start_date: date | None = None,
    planned_end_date: date | None = None,
    priority: str = WoPriority.NORMAL,
    source_of_demand: str = SourceOfDemand.MANUAL,
    source_reference: str = "",
    notes: str = "",
    created_on: date | None = None,
) -> WorkOrder:
    if product.org_id != org.id:
        fail("product", "belongs to another organisation")
    if priority not in WoPriority.values:
        fail("priority", f"must be one of {', '.join(WoPriority.values)}")
    if source_of_demand not in SourceOfDemand.values:
        fail("source_of_demand", f"must be one of {', '.join(SourceOfDemand.values)}")
    day = created_on or local_today(org)
    bom = bom or active_bom(product=product, on=planned_start_date or day)
    if bom is not None and bom.product_id != product.id:
        fail("bom", f"is a BOM of another product, not {product.code}")
    wo = WorkOrder.objects.create(
        org=org,
        wo_number=numbering.wo_number(org=org, day=day),
        product=product,
        bom=bom,
        planned_quantity=positive(planned_quantity, field="planned_quantity"),
        uom=product.base_uom,
        planned_start_date=planned_start_date,
        planned_end_date=planned_end_date,
        priority=priority,
        source_of_demand=source_of_demand,
        source_reference=source_reference,
        notes=notes,
    )
    emit(
        org=org,
        type="workorder.created",
        subject=("work_order", wo.id),
        data=payloads.work_order(wo),
    )
    return wo


@transaction.atomic
def wo_transition(
    *,
    work_order: WorkOrder,
    to_status: str,
    produced_quantity: Decimal | str | None = None,
    pause_reason: str = "",
    output_location: Location | None = None,
    batch_number: str = "",
    expiry_date: date | None = None,
) -> WorkOrder:
    """Move a WO along ADR-007. Completing may book the output as an LP (source
    production) when `output_location` is given."""
    wo = work_order
    check_transition(
        field="status",
        current=wo.status,
        target=to_status,
        allowed=WO_TRANSITIONS,
        what=f"work order {wo.wo_number}",
    )
    if to_status == S.ON_HOLD and not pause_reason:
        fail("pause_reason", "putting a work order on hold needs a reason")
    if to_status == S.COMPLETED and produced_quantity is None:
        fail("produced_quantity", "completing a work order needs the produced quantity")
    old, now = wo.status, timezone.now()
    wo.status = to_status
    if to_status == S.IN_PROGRESS and old == S.RELEASED:
        wo.started_at = now
    elif to_status == S.IN_PROGRESS:
        wo.paused_at, wo.pause_reason = None, ""
    elif to_status == S.ON_HOLD:
        wo.paused_at, wo.pause_reason = now, pause_reason
    elif to_status == S.COMPLETED:
        return _complete(wo, now, produced_quantity, output_location, batch_number, expiry_date)
    wo.save()
    if old == S.RELEASED and to_status == S.IN_PROGRESS:
        emit(
            org=wo.org,
            type="workorder.started",
            subject=("work_order", wo.id),
            data={**payloads.work_order(wo), "started_at": wo.started_at},
        )
    else:
        emit(
            org=wo.org,
            type="workorder.status_changed",
            subject=("work_order", wo.id),
            data={
                **payloads.work_order(wo),
                "from_status": old,
                "to_status": to_status,
                "pause_reason": wo.pause_reason,
            },
        )
    return wo


def _complete(
    wo: WorkOrder,
    now: object,
    produced: Decimal | str | None,
    location: Location | None,
    batch_number: str,
    expiry_date: date | None,
) -> WorkOrder:
    wo.produced_quantity = non_negative(produced, field="produced_quantity")
    wo.actual_qty = wo.produced_quantity
    wo.yield_percent = (wo.produced_quantity * 100 / wo.planned_quantity).quantize(Decimal("0.01"))
    wo.completed_at = now  # type: ignore[assignment]
    wo.expiry_date = expiry_date or wo.expiry_date
    wo.save()
    lp = _book_output(wo, location, batch_number) if location and wo.produced_quantity else None
    emit(
        org=wo.org,
        type="workorder.completed",
        subject=("work_order", wo.id),
        data={
            **payloads.work_order(wo),
            "qty_completed": payloads.qty(wo.produced_quantity),
            "completed_at": wo.completed_at,
            "lp_number": lp.lp_number if lp else None,
        },
    )
    return wo


def _book_output(wo: WorkOrder, location: Location, batch_number: str) -> LicensePlate:
    with stock_watch(org=wo.org, products=[wo.product]):
        return _new_lp(
            product=wo.product,
            quantity=wo.produced_quantity,
            location=location,
            batch_number=batch_number or wo.wo_number,
            expiry_date=wo.expiry_date,
            manufacture_date=local_today(wo.org),
            source=LpSource.PRODUCTION,
            wo=wo,
        )
