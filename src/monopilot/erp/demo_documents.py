"""Demo documents: purchase orders with receipts, work orders, sales orders with
shipments, invoices and payments, each moved along its lifecycle through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from monopilot.core.gs1 import with_check_digit
from monopilot.erp.models import (
    Customer,
    CustomerAddress,
    LicensePlate,
    Location,
    LpStatus,
    Product,
    SalesOrder,
    Supplier,
    TaxCode,
    Warehouse,
)
from monopilot.erp.services import inventory, invoicing, production, purchasing, sales, shipping
from monopilot.erp.services.shipping import lp_packed_open
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def nip(body: str) -> str:
    """A NIP with its check digit (bodies whose remainder is 10 are never issued)."""
    check = sum(int(d) * w for d, w in zip(body, _NIP_WEIGHTS, strict=True)) % 11
    if check == 10:
        raise ValueError(f"no valid NIP starts with {body}")
    return body + str(check)


def gln(body: str) -> str:
    return with_check_digit("590" + body) if body else ""


@dataclass
class DemoContext:
    org: Organization
    today: date
    tax: dict[str, TaxCode] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    warehouses: dict[str, Warehouse] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)


# (supplier, [(product, qty, price)], final status, fraction received)
_POS = [
    ("SUP-MLYN", [("RM-MAKA-550", "2000", "2.35"), ("RM-MAKA-720", "800", "2.55")], "closed", 1),
    ("SUP-MIESO", [("RM-WIEPR", "600", "17.20"), ("RM-WOLOWE", "150", "31.50")], "receiving", 0.5),
    ("SUP-OPAK", [("PKG-TACKA", "20000", "0.31"), ("PKG-KARTON", "1500", "1.85")], "confirmed", 0),
    ("SUP-PRZYP", [("RM-PIEPRZ", "25", "47.00"), ("RM-MAJER", "10", "61.00")], "submitted", 0),
    (
        "SUP-CUKIER",
        [("RM-TRUSK", "400", "8.70"), ("RM-CUKIER", "500", "3.05")],
        "pending_approval",
        0,
    ),
    ("SUP-WARZ", [("RM-ZIEMN", "3000", "1.25"), ("RM-CEBULA", "500", "1.85")], "draft", 0),
    ("SUP-FERMA", [("RM-JAJA", "10000", "0.72")], "cancelled", 0),
    ("SUP-MLECZ", [("RM-MLEKO", "12000", "2.05"), ("RM-SMIET", "300", "9.00")], "closed", 1),
]
_PO_PATH = {
    "draft": [],
    "submitted": ["submitted"],
    "pending_approval": ["pending_approval"],
    "confirmed": ["submitted", "confirmed"],
    "receiving": ["submitted", "confirmed"],
    "closed": ["submitted", "confirmed"],
    "cancelled": ["submitted", "cancelled"],
}


def purchase_orders(ctx: DemoContext) -> None:
    for n, (sup, lines, status, received) in enumerate(_POS):
        po = purchasing.po_create(
            org=ctx.org,
            supplier=ctx.suppliers[sup],
            warehouse=ctx.warehouses["WH-RM"],
            expected_delivery_date=ctx.day(n - 3),
            tax_code=ctx.tax["VAT5"],
            order_date=ctx.day(-14 + n),
            lines=[
                {"product": ctx.products[p], "quantity": q, "unit_price": price}
                for p, q, price in lines
            ],
        )
        for step in _PO_PATH[status]:
            purchasing.po_set_status(po=po, status=step)
        if received:
            _receive(ctx, po, received, n)


def _receive(ctx: DemoContext, po: Any, fraction: float, n: int) -> None:
    items = [
        {
            "po_line": line,
            "received_qty": line.quantity * Decimal(str(fraction)),
            "batch_number": f"{po.supplier.code[4:]}-{ctx.day(-3):%y%m%d}-{line.line_number}",
            "expiry_date": ctx.day((line.product.shelf_life_days or 365) - 3),
        }
        for line in po.lines.select_related("product")
    ]
    grn = purchasing.grn_create_draft(
        po=po,
        items=items,
        delivery_note_number=f"WZ/{1100 + n}/{ctx.today:%m/%Y}",
        location=ctx.locations["WH-RM/PRZYJ"],
        receipt_date=ctx.day(-3),
    )
    purchasing.grn_complete(grn=grn)


# (product, planned qty, target status, produced qty)
_WOS = [
    ("FG-PIER-RUS", "1200", "completed", "1180"),
    ("FG-PIER-KAP", "1000", "closed", "985"),
    ("FG-KIEL-SLA", "400", "in_progress", None),
    ("FG-TWAR-PT", "800", "on_hold", None),
    ("FG-JOG-NAT", "5000", "released", None),
    ("FG-CHLEB-ZYT", "600", "planned", None),
    ("FG-KEFIR", "1500", "draft", None),
    ("FG-KAJZER", "3000", "cancelled", None),
]
_WO_PATH = {
    "draft": [],
    "planned": ["planned"],
    "released": ["planned", "released"],
    "in_progress": ["planned", "released", "in_progress"],
    "on_hold": ["planned", "released", "in_progress", "on_hold"],
    "completed": ["planned", "released", "in_progress", "completed"],
    "closed": ["planned", "released", "in_progress", "completed", "closed"],
    "cancelled": ["planned", "cancelled"],
}


def work_orders(ctx: DemoContext) -> None:
    for product, planned, status, produced in _WOS:
        wo = production.wo_create(
            org=ctx.org,
            product=ctx.products[product],
            planned_quantity=planned,
            planned_start_date=ctx.day(-1),
            created_on=ctx.day(-2),
        )
        for step in _WO_PATH[status]:
            production.wo_transition(
                work_order=wo,
                to_status=step,
                produced_quantity=produced,
                pause_reason="Awaria pakowaczki, czekamy na serwis",
                output_location=ctx.locations["WH-FG/CHL-R02"],
                expiry_date=ctx.day(ctx.products[product].shelf_life_days or 30),
            )
        if status in ("completed", "closed"):
            _consume_components(ctx, wo)


def _consume_components(ctx: DemoContext, wo: Any) -> None:
    """Take the packaging the WO used from stock (materials, simplified)."""
    for item in wo.bom.items.select_related("product"):
        if item.product.product_type.code != "PKG":
            continue
        need = item.quantity * wo.produced_quantity / wo.bom.output_qty
        lp = _lp_with(ctx, item.product, need)
        inventory.lp_consume(lp=lp, quantity=need.quantize(Decimal("1")), work_order=wo)


def _lp_with(ctx: DemoContext, product: Product, qty: Decimal) -> LicensePlate:
    for lp in (
        scoped(LicensePlate, ctx.org)
        .filter(product=product, status=LpStatus.AVAILABLE)
        .order_by("expiry_date")
    ):
        if lp.quantity - lp_packed_open(lp) >= qty:
            return lp
    raise LookupError(f"demo: no stock of {product.code} for {qty}")


# (customer, source, [(product, qty)], final status, paid: none/partial/full)
_SOS = [
    (
        "CUS-ORZEL",
        "edi",
        [("FG-PIER-RUS", "480"), ("FG-PIER-KAP", "240"), ("PKG-PALETA", "2")],
        "delivered",
        "full",
    ),
    (
        "CUS-LIPY",
        "manual",
        [("FG-TWAR-PT", "120"), ("FG-JOG-NAT", "600"), ("FG-KEFIR", "96")],
        "delivered",
        "full",
    ),
    (
        "CUS-SWIT",
        "edi",
        [("FG-KIEL-SLA", "80"), ("FG-KIEL-KRA", "60"), ("FG-KIEL-BIA", "40")],
        "delivered",
        "partial",
    ),
    (
        "CUS-MAZUR",
        "api",
        [("FG-CHLEB-ZYT", "150"), ("FG-CHLEB-PSZ", "200"), ("FG-KAJZER", "800")],
        "delivered",
        "none",
    ),
    (
        "CUS-KOSZYK",
        "edi",
        [("FG-PIER-MIE", "360"), ("FG-JOG-TRU", "720"), ("PKG-PALETA", "1")],
        "shipped",
        "none",
    ),
    ("CUS-EUROHURT", "api", [("FG-PIER-RUS", "300"), ("FG-TWAR-TL", "200")], "shipped", "none"),
    ("CUS-SMAK", "portal", [("FG-PIER-KAP", "100"), ("FG-KIEL-SLA", "20")], "shipped", "partial"),
    ("CUS-ZIELNIK", "manual", [("FG-JOG-NAT", "240"), ("FG-KEFIR", "120")], "packing", None),
    ("CUS-ORZEL", "edi", [("FG-PIER-RUS", "600"), ("FG-PIER-MIE", "300")], "picking", None),
    ("CUS-SOLO", "portal", [("FG-CHLEB-ZYT", "30"), ("FG-TWAR-PT", "24")], "confirmed", None),
    ("CUS-BALTYK", "api", [("FG-KIEL-KRA", "500")], "draft", None),
    ("CUS-SWIT", "edi", [("FG-JOG-TRU", "300")], "cancelled", None),
]


def sales_orders(ctx: DemoContext) -> None:
    for n, (cust, source, lines, status, paid) in enumerate(_SOS):
        customer = ctx.customers[cust]
        address = scoped(CustomerAddress, ctx.org).filter(
            customer=customer, address_type="shipping"
        )
        so = sales.so_create(
            org=ctx.org,
            customer=customer,
            source=source,
            order_date=ctx.day(-10 + n // 2),
            customer_po=f"{4500100000 + n * 37}"
            if source == "edi"
            else f"ZAM/{n + 1}/{ctx.today:%Y}",
            shipping_address=address.order_by("-is_default", "name").last(),
            required_delivery_date=ctx.day(n // 2 - 2),
            lines=[{"product": ctx.products[p], "quantity": q} for p, q in lines],
        )
        _advance_order(ctx, so, status, paid, n)


def _advance_order(ctx: DemoContext, so: SalesOrder, status: str, paid: str | None, n: int) -> None:
    if status == "draft":
        return
    if status == "cancelled":
        sales.so_cancel(sales_order=so, reason="Klient wycofał zamówienie")
        return
    sales.so_confirm(sales_order=so)
    if status == "picking":
        sales.so_set_status(sales_order=so, status="picking")
    elif status in ("packing", "shipped", "delivered"):
        shipment = _ship(ctx, so, status)
        if status != "packing":
            _invoice(ctx, shipment, paid, n)


def _ship(ctx: DemoContext, so: SalesOrder, status: str) -> Any:
    shipment = shipping.shipment_create(
        sales_order=so,
        carrier="dpd" if so.customer.category == "retail" else "dhl",
        service_level="paleta",
        staged_location=ctx.locations["WH-FG/WYD"],
    )
    shipping.shipment_set_status(shipment=shipment, status="packing")
    lines = list(so.lines.select_related("product"))
    for start in range(0, len(lines), 2):
        box = shipping.shipment_add_box(
            shipment=shipment, weight="380.5", dimensions="120x80x160 cm"
        )
        for line in lines[start : start + 2]:
            lp = _lp_with(ctx, line.product, line.quantity_ordered)
            shipping.shipment_add_content(
                box=box, license_plate=lp, sales_order_line=line, quantity=line.quantity_ordered
            )
    if status == "packing":
        return shipment
    shipping.shipment_set_status(shipment=shipment, status="packed")
    shipping.shipment_set_status(
        shipment=shipment,
        status="shipped",
        tracking_number=f"0000712{so.order_number[-5:]}{len(lines):04d}",
    )
    if status == "delivered":
        shipping.shipment_set_status(shipment=shipment, status="delivered")
    return shipment


def _invoice(ctx: DemoContext, shipment: Any, paid: str | None, n: int) -> None:
    invoice = invoicing.invoice_create_from_shipment(shipment=shipment)
    invoicing.invoice_finalize(invoice=invoice, issue_date=ctx.today)
    if paid == "full":
        invoicing.payment_record(
            invoice=invoice,
            amount=invoice.total_gross,
            payment_date=ctx.today,
            external_id=f"MT940-{ctx.today:%Y%m%d}-{n}",
            reference=f"Zapłata za {invoice.invoice_number}",
        )
    elif paid == "partial":
        invoicing.payment_record(
            invoice=invoice,
            amount=(invoice.total_gross / 2).quantize(Decimal("0.01")),
            payment_date=ctx.today,
            reference=f"Zaliczka {invoice.invoice_number}",
        )


def stock_events(ctx: DemoContext) -> None:
    """A blocked LP (quality hold) and a move to the dispatch area."""
    lp = (
        scoped(LicensePlate, ctx.org)
        .filter(product=ctx.products["FG-KIEL-BIA"], status=LpStatus.AVAILABLE)
        .first()
    )
    if lp is not None:
        inventory.lp_block(lp=lp, reason="Wstrzymane przez QA: odchylenie temperatury")
    lp = (
        scoped(LicensePlate, ctx.org)
        .filter(product=ctx.products["FG-TWAR-TL"], status=LpStatus.AVAILABLE)
        .first()
    )
    if lp is not None:
        inventory.lp_move(lp=lp, to_location=ctx.locations["WH-FG/WYD"])
