"""Work orders: read with read:orders or read:production; start/complete need write:production."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema

from monopilot.api.context import require_scope
from monopilot.api.refs import opt_ref
from monopilot.api.resources import one, read_endpoints, tenant
from monopilot.api.schemas import responses
from monopilot.erp.models import Location, WorkOrder
from monopilot.erp.services import production

router = Router(tags=["work orders"])
READ = ("read:production", "read:orders")


class WorkOrderOut(Schema):
    id: UUID
    wo_number: str
    product: str
    planned_quantity: Decimal
    produced_quantity: Decimal
    uom: str
    status: str
    priority: str
    planned_start_date: date | None
    planned_end_date: date | None
    started_at: datetime | None
    completed_at: datetime | None
    actual_qty: Decimal | None
    notes: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_product(obj: WorkOrder) -> str:
        return obj.product.code


_wos = tenant(WorkOrder, "product")


class CompleteIn(Schema):
    produced_quantity: Decimal = Field(..., ge=0, max_digits=15, decimal_places=4)
    output_location: str | None = Field(None, description="Location full path, code or id")
    batch_number: str = Field("", max_length=50)
    expiry_date: date | None = None


@router.post(
    "/{id}/start",
    response=responses(WorkOrderOut),
    operation_id="start_work_order",
    summary="Start a released work order",
)
def start_work_order(request: HttpRequest, id: UUID) -> Any:
    who = require_scope(request, "write:production")
    wo = one(_wos(who.org), "Work order", pk=id)
    production.wo_transition(work_order=wo, to_status="in_progress")
    return one(_wos(who.org), "Work order", pk=id)


@router.post(
    "/{id}/complete",
    response=responses(WorkOrderOut),
    operation_id="complete_work_order",
    summary="Complete a running work order",
)
def complete_work_order(request: HttpRequest, id: UUID, payload: CompleteIn) -> Any:
    who = require_scope(request, "write:production")
    wo = one(_wos(who.org), "Work order", pk=id)
    location = opt_ref(
        who.org,
        Location,
        payload.output_location,
        field="output_location",
        by=("full_path", "code"),
    )
    production.wo_transition(
        work_order=wo,
        to_status="completed",
        produced_quantity=payload.produced_quantity,
        output_location=location,
        batch_number=payload.batch_number,
        expiry_date=payload.expiry_date,
    )
    return one(_wos(who.org), "Work order", pk=id)


read_endpoints(
    router,
    name="work_orders",
    what="Work order",
    out=WorkOrderOut,
    scopes=READ,
    queryset=_wos,
    number_field="wo_number",
)
