"""Warehouses, locations and license plates, plus the inventory.low watch."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from monopilot.core.gs1 import validate_gtin, validate_sscc
from monopilot.erp import payloads
from monopilot.erp.models import (
    ErpSettings,
    LicensePlate,
    Location,
    LpSource,
    LpStatus,
    Product,
    QaStatus,
    Warehouse,
    WarehouseType,
    WorkOrder,
)
from monopilot.erp.services import numbering
from monopilot.erp.services.common import ZERO, emit, fail, positive, validated
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

_WAREHOUSE_CODE = re.compile(r"^[A-Z0-9-]{2,20}$")
MAX_LOCATION_DEPTH = 4


@transaction.atomic
def warehouse_create(
    *,
    org: Organization,
    code: str,
    name: str,
    type: str = WarehouseType.GENERAL,
    address: str = "",
    contact: str = "",
    is_default: bool = False,
) -> Warehouse:
    if not _WAREHOUSE_CODE.match(code or ""):
        fail("code", "must be 2-20 characters of A-Z, 0-9 and '-'")
    if type not in WarehouseType.values:
        fail("type", f"must be one of {', '.join(WarehouseType.values)}")
    if scoped(Warehouse, org).filter(code=code).exists():
        fail("code", f"warehouse {code} already exists")
    if is_default:
        scoped(Warehouse, org).filter(is_default=True).update(is_default=False)
    return Warehouse.objects.create(
        org=org,
        code=code,
        name=name,
        type=type,
        address=address,
        contact=contact,
        is_default=is_default,
    )


@transaction.atomic
def location_create(
    *,
    warehouse: Warehouse,
    code: str,
    name: str = "",
    parent: Location | None = None,
    location_type: str = "storage",
) -> Location:
    if not code:
        fail("code", "is required")
    if parent is not None and parent.warehouse_id != warehouse.id:
        fail("parent", "belongs to another warehouse")
    level = parent.level + 1 if parent else 1
    if level > MAX_LOCATION_DEPTH:
        fail("parent", f"locations nest at most {MAX_LOCATION_DEPTH} levels deep")
    if scoped(Location, warehouse.org).filter(warehouse=warehouse, code=code).exists():
        fail("code", f"location {code} already exists in {warehouse.code}")
    base = parent.full_path if parent else warehouse.code
    return Location.objects.create(
        org=warehouse.org,
        warehouse=warehouse,
        parent=parent,
        code=code,
        name=name or code,
        level=level,
        full_path=f"{base}/{code}",
        location_type=location_type,
    )


def available_stock(*, org: Organization, product: Product) -> Decimal:
    total = (
        scoped(LicensePlate, org)
        .filter(product=product, status=LpStatus.AVAILABLE)
        .aggregate(total=Sum("quantity"))["total"]
    )
    return total or ZERO


@contextmanager
def stock_watch(*, org: Organization, products: Iterable[Product]) -> Iterator[None]:
    """Publish inventory.low for each product whose available stock crosses below its
    min_stock during the block (not on every change while it stays below)."""
    watched = {p.id: p for p in products if p.min_stock}
    before = {pid: available_stock(org=org, product=p) for pid, p in watched.items()}
    yield
    for pid, product in watched.items():
        after = available_stock(org=org, product=product)
        assert product.min_stock is not None
        if before[pid] >= product.min_stock > after:
            emit(
                org=org,
                type="inventory.low",
                subject=("product", pid),
                data={
                    "product_id": str(pid),
                    "product_code": product.code,
                    "product_name": product.name,
                    "available_quantity": payloads.qty(after),
                    "min_stock": payloads.qty(product.min_stock),
                    "uom": product.base_uom,
                },
            )


def _lp_prefix(org: Organization) -> str:
    settings = scoped(ErpSettings, org).first()
    return settings.lp_prefix if settings else "LP"


def _new_lp(*, product: Product, quantity: Any, location: Location, **values: Any) -> LicensePlate:
    org = product.org
    if location.org_id != org.id:
        fail("location", "belongs to another organisation")
    for name, check in (("gtin", validate_gtin), ("sscc", validate_sscc)):
        if values.get(name):
            values[name] = validated(check, values[name], field=name)
    values.setdefault("gtin", product.gtin)
    lp = LicensePlate.objects.create(
        org=org,
        lp_number=numbering.lp_number(org=org, prefix=_lp_prefix(org)),
        product=product,
        quantity=positive(quantity, field="quantity"),
        uom=values.pop("uom", "") or product.base_uom,
        location=location,
        warehouse_id=location.warehouse_id,
        **values,
    )
    emit(
        org=org,
        type="license_plate.created",
        subject=("license_plate", lp.id),
        data=payloads.license_plate(lp),
    )
    return lp


_LP_FIELDS = (
    "uom",
    "batch_number",
    "supplier_batch_number",
    "expiry_date",
    "manufacture_date",
    "source",
    "po_number",
    "grn",
    "wo",
    "gtin",
    "sscc",
    "qa_status",
    "pallet_id",
    "catch_weight_kg",
)


@transaction.atomic
def lp_create(
    *,
    product: Product,
    quantity: Decimal | str,
    location: Location,
    batch_number: str = "",
    expiry_date: date | None = None,
    **values: Any,
) -> LicensePlate:
    unknown = sorted(set(values) - set(_LP_FIELDS))
    if unknown:
        fail(unknown[0], "is not a license plate field")
    if values.get("source", LpSource.MANUAL) not in LpSource.values:
        fail("source", f"must be one of {', '.join(LpSource.values)}")
    if values.get("qa_status", QaStatus.PASSED) not in QaStatus.values:
        fail("qa_status", f"must be one of {', '.join(QaStatus.values)}")
    with stock_watch(org=product.org, products=[product]):
        return _new_lp(
            product=product,
            quantity=quantity,
            location=location,
            batch_number=batch_number,
            expiry_date=expiry_date,
            **values,
        )


def _require_status(lp: LicensePlate, *allowed: str, action: str) -> None:
    if lp.status not in allowed:
        fail("status", f"license plate {lp.lp_number} is {lp.status}; cannot {action}")


@transaction.atomic
def lp_move(*, lp: LicensePlate, to_location: Location) -> LicensePlate:
    _require_status(lp, LpStatus.AVAILABLE, LpStatus.RESERVED, LpStatus.BLOCKED, action="move")
    if to_location.org_id != lp.org_id:
        fail("to_location", "belongs to another organisation")
    if to_location.id == lp.location_id:
        fail("to_location", f"license plate {lp.lp_number} is already there")
    from_path = lp.location.full_path
    lp.location, lp.warehouse_id = to_location, to_location.warehouse_id
    lp.save(update_fields=["location", "warehouse", "updated_at"])
    emit(
        org=lp.org,
        type="license_plate.moved",
        subject=("license_plate", lp.id),
        data={
            **payloads.license_plate(lp),
            "from_location": from_path,
            "to_location": to_location.full_path,
        },
    )
    return lp


@transaction.atomic
def lp_consume(
    *, lp: LicensePlate, quantity: Decimal | str | None = None, work_order: WorkOrder | None = None
) -> LicensePlate:
    """Take `quantity` (all by default) from the LP; at zero it becomes consumed."""
    _require_status(lp, LpStatus.AVAILABLE, LpStatus.RESERVED, action="consume")
    taken = lp.quantity if quantity is None else positive(quantity, field="quantity")
    if taken > lp.quantity:
        fail("quantity", f"{taken} exceeds the {lp.quantity} {lp.uom} on {lp.lp_number}")
    with stock_watch(org=lp.org, products=[lp.product]):
        lp.quantity -= taken
        if lp.quantity == 0:
            lp.status = LpStatus.CONSUMED
        lp.consumed_by_wo = work_order or lp.consumed_by_wo
        lp.save(update_fields=["quantity", "status", "consumed_by_wo", "updated_at"])
        emit(
            org=lp.org,
            type="license_plate.consumed",
            subject=("license_plate", lp.id),
            data={
                **payloads.license_plate(lp),
                "consumed_quantity": payloads.qty(taken),
                "wo_number": work_order.wo_number if work_order else None,
            },
        )
    return lp


@transaction.atomic
def lp_block(*, lp: LicensePlate, reason: str) -> LicensePlate:
    _require_status(lp, LpStatus.AVAILABLE, LpStatus.RESERVED, action="block")
    if not reason:
        fail("reason", "a block needs a reason")
    with stock_watch(org=lp.org, products=[lp.product]):
        lp.status, lp.block_reason = LpStatus.BLOCKED, reason
        lp.save(update_fields=["status", "block_reason", "updated_at"])
        emit(
            org=lp.org,
            type="license_plate.blocked",
            subject=("license_plate", lp.id),
            data={**payloads.license_plate(lp), "block_reason": reason},
        )
    return lp
