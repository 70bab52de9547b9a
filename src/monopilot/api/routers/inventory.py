"""Inventory: license plates, stock per product/location, moves (read:/write:inventory)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, Sum
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from monopilot.api.context import require_scope
from monopilot.api.refs import ref
from monopilot.api.resources import one, read_endpoints, require_any, tenant
from monopilot.api.schemas import responses
from monopilot.erp.models import LicensePlate, Location
from monopilot.erp.services import inventory

router = Router(tags=["inventory"])
READ = ("read:inventory",)
QTY = Decimal("0.0001")  # SQLite sums lose the column's scale; answer like PostgreSQL


class LicensePlateOut(Schema):
    id: UUID
    lp_number: str
    product: str
    quantity: Decimal
    uom: str
    warehouse: str
    location: str
    status: str
    qa_status: str
    batch_number: str
    expiry_date: date | None
    sscc: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_product(obj: LicensePlate) -> str:
        return obj.product.code

    @staticmethod
    def resolve_warehouse(obj: LicensePlate) -> str:
        return obj.warehouse.code

    @staticmethod
    def resolve_location(obj: LicensePlate) -> str:
        return obj.location.full_path


class StockRow(Schema):
    product: str
    warehouse: str
    location: str
    uom: str
    quantity: Decimal
    license_plates: int


class StockOut(Schema):
    data: list[StockRow]


class StockParams(Schema):
    product: str | None = None
    warehouse: str | None = None
    location: str | None = None


_lps = tenant(LicensePlate, "product", "warehouse", "location")


@router.get(
    "/stock",
    response=responses(StockOut),
    operation_id="get_stock",
    summary="Available stock per product and location",
)
def stock(request: HttpRequest, params: Query[StockParams]) -> Any:
    who = require_any(request, *READ)
    qs = _lps(who.org).filter(status__in=["available", "reserved"], quantity__gt=0)
    if params.product:
        qs = qs.filter(product__code=params.product)
    if params.warehouse:
        qs = qs.filter(warehouse__code=params.warehouse)
    if params.location:
        qs = qs.filter(location__full_path=params.location)
    rows = (
        qs.values("product__code", "warehouse__code", "location__full_path", "uom")
        .annotate(quantity=Sum("quantity"), license_plates=Count("id"))
        .order_by("product__code", "warehouse__code", "location__full_path")
    )
    return {
        "data": [
            {
                "product": r["product__code"],
                "warehouse": r["warehouse__code"],
                "location": r["location__full_path"],
                "uom": r["uom"],
                "quantity": Decimal(r["quantity"]).quantize(QTY),
                "license_plates": r["license_plates"],
            }
            for r in rows[:1000]
        ]
    }


class MoveIn(Schema):
    license_plate: str = Field(..., description="License plate number or id")
    to_location: str = Field(..., description="Location full path (WH1/A1), code or id")


@router.post(
    "/moves",
    response=responses(LicensePlateOut, 201),
    operation_id="move_stock",
    summary="Move a license plate to another location",
)
def move(request: HttpRequest, payload: MoveIn) -> Any:
    who = require_scope(request, "write:inventory")
    lp = ref(who.org, LicensePlate, payload.license_plate, field="license_plate", by=("lp_number",))
    location = ref(
        who.org, Location, payload.to_location, field="to_location", by=("full_path", "code")
    )
    inventory.lp_move(lp=lp, to_location=location)
    return Status(201, one(_lps(who.org), "License plate", pk=lp.pk))


lp_router = Router(tags=["inventory"])
read_endpoints(
    lp_router,
    name="license_plates",
    what="License plate",
    out=LicensePlateOut,
    scopes=READ,
    queryset=_lps,
    number_field="lp_number",
)
