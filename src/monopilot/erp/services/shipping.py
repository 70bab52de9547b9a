"""Shipments from sales orders: boxes with SSCCs, contents from LPs, dispatch, delivery."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from monopilot.core.gs1 import make_sscc, validate_sscc
from monopilot.erp import payloads
from monopilot.erp.models import (
    Carrier,
    ErpSettings,
    LicensePlate,
    Location,
    LpStatus,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentBox,
    ShipmentBoxContent,
    ShipmentStatus,
    SoStatus,
)
from monopilot.erp.services import numbering
from monopilot.erp.services.common import (
    ZERO,
    check_transition,
    emit,
    fail,
    local_today,
    non_negative,
    positive,
    validated,
)
from monopilot.erp.services.inventory import stock_watch
from monopilot.erp.services.sales import so_set_status
from monopilot.tenancy.models import Organization, User
from monopilot.tenancy.scoping import scoped

S = ShipmentStatus
SHIPMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PENDING: (S.PACKING, S.EXCEPTION),
    S.PACKING: (S.PACKED, S.EXCEPTION),
    S.PACKED: (S.PACKING, S.MANIFESTED, S.SHIPPED, S.EXCEPTION),
    S.MANIFESTED: (S.SHIPPED, S.EXCEPTION),
    S.SHIPPED: (S.DELIVERED, S.EXCEPTION),
    S.EXCEPTION: (S.PENDING, S.PACKING, S.PACKED, S.SHIPPED, S.DELIVERED),
}
SHIPPABLE_ORDERS = (SoStatus.CONFIRMED, SoStatus.ALLOCATED, SoStatus.PICKING, SoStatus.PACKING)
OPEN = (S.PENDING, S.PACKING, S.PACKED, S.MANIFESTED)
SSCC_EXTENSION = 0


@transaction.atomic
def shipment_create(
    *,
    sales_order: SalesOrder,
    carrier: str = "",
    service_level: str = "",
    staged_location: Location | None = None,
) -> Shipment:
    so = sales_order
    if so.status not in SHIPPABLE_ORDERS:
        fail(
            "sales_order",
            f"sales order {so.order_number} is {so.status}; only "
            f"{', '.join(SHIPPABLE_ORDERS)} orders can be shipped",
        )
    if carrier and carrier not in Carrier.values:
        fail("carrier", f"must be one of {', '.join(Carrier.values)}")
    shipment = Shipment.objects.create(
        org=so.org,
        shipment_number=numbering.yearly(org=so.org, prefix="SH", day=local_today(so.org)),
        sales_order=so,
        customer=so.customer,
        shipping_address=so.shipping_address,
        carrier=carrier,
        service_level=service_level,
        staged_location=staged_location,
    )
    emit(
        org=so.org,
        type="shipment.created",
        subject=("shipment", shipment.id),
        data=payloads.shipment(shipment),
    )
    return shipment


def _next_sscc(org: Organization) -> str:
    settings = scoped(ErpSettings, org).first()
    prefix = settings.gs1_company_prefix if settings else ""
    if not prefix:
        fail("sscc", "no GS1 company prefix is configured for this organisation; give an SSCC")
    serial = numbering.next_value(org=org, key="SSCC")
    try:
        return make_sscc(extension=SSCC_EXTENSION, company_prefix=prefix, serial=serial)
    except ValueError:
        fail("sscc", "the SSCC serial range of the GS1 company prefix is exhausted")


@transaction.atomic
def shipment_add_box(
    *,
    shipment: Shipment,
    sscc: str = "",
    weight: Decimal | str | None = None,
    dimensions: str = "",
    tracking_number: str = "",
) -> ShipmentBox:
    if shipment.status not in (S.PENDING, S.PACKING):
        fail(
            "shipment",
            f"shipment {shipment.shipment_number} is {shipment.status}; "
            "boxes can be added while pending or packing",
        )
    org = shipment.org
    code = validated(validate_sscc, sscc, field="sscc") if sscc else _next_sscc(org)
    if scoped(ShipmentBox, org).filter(sscc=code).exists():
        fail("sscc", f"SSCC {code} is already used on another box")
    number = shipment.boxes.count() + 1
    box = ShipmentBox.objects.create(
        org=org,
        shipment=shipment,
        box_number=number,
        sscc=code,
        dimensions=dimensions,
        weight=None if weight is None else non_negative(weight, field="weight"),
        tracking_number=tracking_number,
    )
    shipment.total_boxes = number
    shipment.total_weight = sum((b.weight or ZERO for b in shipment.boxes.all()), ZERO)
    shipment.sscc = shipment.sscc or code
    shipment.save(update_fields=["total_boxes", "total_weight", "sscc", "updated_at"])
    return box


def lp_packed_open(lp: LicensePlate) -> Decimal:
    """Quantity of `lp` already in boxes of shipments that have not left yet."""
    total = (
        scoped(ShipmentBoxContent, lp.org)
        .filter(license_plate=lp, shipment_box__shipment__status__in=OPEN)
        .aggregate(total=Sum("quantity"))["total"]
    )
    return total or ZERO


@transaction.atomic
def shipment_add_content(
    *,
    box: ShipmentBox,
    license_plate: LicensePlate,
    sales_order_line: SalesOrderLine,
    quantity: Decimal | str,
) -> ShipmentBoxContent:
    """Pack `quantity` from an LP into a box; lot and expiry are copied from the LP."""
    lp, line, shipment = license_plate, sales_order_line, box.shipment
    if shipment.status not in (S.PENDING, S.PACKING):
        fail("box", f"shipment {shipment.shipment_number} is {shipment.status}; cannot pack")
    if line.sales_order_id != shipment.sales_order_id:
        fail("sales_order_line", f"is not a line of {shipment.sales_order.order_number}")
    if lp.org_id != box.org_id or lp.product_id != line.product_id:
        fail("license_plate", f"{lp.lp_number} does not hold product {line.product.code}")
    if lp.status != LpStatus.AVAILABLE:
        fail("license_plate", f"{lp.lp_number} is {lp.status}, not available")
    qty = positive(quantity, field="quantity")
    free = lp.quantity - lp_packed_open(lp)
    if qty > free:
        fail("quantity", f"{qty} exceeds the {free} {lp.uom} free on {lp.lp_number}")
    if line.quantity_packed + qty > line.quantity_ordered:
        fail(
            "quantity",
            f"line {line.line_number} would be packed beyond the {line.quantity_ordered} ordered",
        )
    line.quantity_packed += qty
    line.save(update_fields=["quantity_packed", "updated_at"])
    return ShipmentBoxContent.objects.create(
        org=box.org,
        shipment_box=box,
        sales_order_line=line,
        product=lp.product,
        license_plate=lp,
        lot_number=lp.batch_number,
        expiry_date=lp.expiry_date,
        quantity=qty,
    )


@transaction.atomic
def shipment_set_status(
    *, shipment: Shipment, status: str, tracking_number: str = "", by: User | None = None
) -> Shipment:
    check_transition(
        field="status",
        current=shipment.status,
        target=status,
        allowed=SHIPMENT_TRANSITIONS,
        what=f"shipment {shipment.shipment_number}",
    )
    if status in (S.PACKED, S.SHIPPED):
        _require_contents(shipment)
    old, shipment.status, now = shipment.status, status, timezone.now()
    shipment.tracking_number = tracking_number or shipment.tracking_number
    if status == S.PACKING:
        _order_to(shipment.sales_order, SoStatus.PACKING)
    elif status == S.PACKED:
        shipment.packed_at, shipment.packed_by = now, by
    elif status == S.SHIPPED:
        _dispatch(shipment, now)
    elif status == S.DELIVERED:
        shipment.delivered_at = now
    shipment.save()
    _announce(shipment, old)
    if status == S.DELIVERED:
        _deliver_order(shipment.sales_order)
    return shipment


def _announce(shipment: Shipment, old: str) -> None:
    org, subject = shipment.org, ("shipment", shipment.id)
    if shipment.status == S.SHIPPED:
        emit(
            org=org,
            type="shipment.dispatched",
            subject=subject,
            data={**payloads.shipment(shipment, boxes=True), "shipped_at": shipment.shipped_at},
        )
    elif shipment.status == S.DELIVERED:
        emit(
            org=org,
            type="shipment.delivered",
            subject=subject,
            data={**payloads.shipment(shipment), "delivered_at": shipment.delivered_at},
        )
    else:
        emit(
            org=org,
            type="shipment.status_changed",
            subject=subject,
            data={**payloads.shipment(shipment), "from_status": old, "to_status": shipment.status},
        )


def _order_to(so: SalesOrder, status: str) -> None:
    if so.status != status:
        so_set_status(sales_order=so, status=status)


def _require_contents(shipment: Shipment) -> None:
    if (
        not scoped(ShipmentBoxContent, shipment.org)
        .filter(shipment_box__shipment=shipment)
        .exists()
    ):
        fail("status", f"shipment {shipment.shipment_number} has no packed contents")


def _dispatch(shipment: Shipment, now: object) -> None:
    """Goods leave: LPs lose what was packed, order lines count it as shipped."""
    shipment.shipped_at = now  # type: ignore[assignment]
    contents = list(
        scoped(ShipmentBoxContent, shipment.org)
        .filter(shipment_box__shipment=shipment)
        .select_related("license_plate", "sales_order_line", "product")
    )
    with stock_watch(
        org=shipment.org, products={c.product_id: c.product for c in contents}.values()
    ):
        for content in contents:
            _ship_content(content)
    so = shipment.sales_order
    so.refresh_from_db()
    if all(ln.quantity_shipped >= ln.quantity_ordered for ln in so.lines.all()):
        _order_to(so, SoStatus.PACKING)
        _order_to(so, SoStatus.SHIPPED)


def _ship_content(content: ShipmentBoxContent) -> None:
    line = content.sales_order_line
    line.quantity_shipped += content.quantity
    line.save(update_fields=["quantity_shipped", "updated_at"])
    lp = content.license_plate
    if lp is None:
        return
    lp.refresh_from_db()
    lp.quantity -= content.quantity
    if lp.quantity <= 0:
        lp.quantity, lp.status = ZERO, LpStatus.CONSUMED
    lp.save(update_fields=["quantity", "status", "updated_at"])
    emit(
        org=lp.org,
        type="license_plate.consumed",
        subject=("license_plate", lp.id),
        data={
            **payloads.license_plate(lp),
            "consumed_quantity": payloads.qty(content.quantity),
            "wo_number": None,
        },
    )


def _deliver_order(so: SalesOrder) -> None:
    so.refresh_from_db()
    pending = scoped(Shipment, so.org).filter(sales_order=so).exclude(status=S.DELIVERED)
    if so.status == SoStatus.SHIPPED and not pending.exists():
        so_set_status(sales_order=so, status=SoStatus.DELIVERED)
