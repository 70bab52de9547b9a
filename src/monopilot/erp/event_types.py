"""The erp event types: JSON Schema and a realistic example for every event it publishes.

"order.*" are purchase orders (the PRD's names); sales orders are "sales_order.*".
Payload fragments and examples live in event_schemas.py.
"""

from __future__ import annotations

from typing import Any

from monopilot.erp.event_schemas import (
    BOM,
    BOM_EX,
    BOX,
    CHANGES,
    CUSTOMER,
    CUSTOMER_EX,
    FINALIZED_EX,
    GRN,
    GRN_EX,
    INVOICE,
    INVOICE_EX,
    INVOICE_LINE,
    LP,
    LP_EX,
    PAYMENT,
    PAYMENT_EX,
    PO,
    PO_EX,
    PO_LINE,
    PO_LINE_EX,
    PRODUCT,
    PRODUCT_EX,
    SHIPMENT,
    SHIPMENT_EX,
    SO,
    SO_EX,
    SO_LINE,
    SO_LINE_EX,
    SUPPLIER,
    SUPPLIER_EX,
    VAT_ROW,
    WO,
    WO_EX,
)
from monopilot.events.catalogue import (
    DATE,
    DATETIME,
    DECIMAL,
    NULLABLE_STR,
    STR,
    EventType,
    array_of,
    obj,
    register,
)


def _t(
    name: str, description: str, schema: dict[str, Any], example: dict[str, Any], category: str
) -> None:
    register(
        EventType(
            name=name, description=description, schema=schema, example=example, category=category
        )
    )


def _with(base: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**base, **extra}


def register_all() -> None:
    _products()
    _purchasing()
    _production()
    _inventory()
    _sales()
    _shipping()
    _invoicing()


def _products() -> None:
    _t("product.created", "A product was created.", obj(PRODUCT), PRODUCT_EX, "products")
    _t(
        "product.updated",
        "A product changed; `changes` holds [old, new] per field.",
        obj(_with(PRODUCT, changes=CHANGES)),
        _with(PRODUCT_EX, changes={"name": ["Pierogi ruskie 450 g", "Pierogi ruskie 400 g"]}),
        "products",
    )
    _t(
        "product.deactivated",
        "A product was made inactive or discontinued.",
        obj(PRODUCT),
        _with(PRODUCT_EX, status="inactive"),
        "products",
    )
    _t("bom.created", "A BOM version was created (draft).", obj(BOM), BOM_EX, "products")
    _t(
        "bom.activated",
        "A BOM version became active.",
        obj(BOM),
        _with(BOM_EX, status="active"),
        "products",
    )
    for kind, props, example in (
        ("supplier", SUPPLIER, SUPPLIER_EX),
        ("customer", CUSTOMER, CUSTOMER_EX),
    ):
        _t(f"{kind}.created", f"A {kind} was created.", obj(props), example, "partners")
        _t(
            f"{kind}.updated",
            f"A {kind} changed; `changes` holds [old, new] per field.",
            obj(_with(props, changes=CHANGES)),
            _with(example, changes={"gln": ["", example["gln"]]}),
            "partners",
        )


def _purchasing() -> None:
    _t(
        "order.created",
        "A purchase order was created.",
        obj(_with(PO, lines=array_of(PO_LINE))),
        _with(PO_EX, lines=[PO_LINE_EX]),
        "orders",
    )
    _t(
        "order.updated",
        'A purchase order changed; status changes come as {"changes": {"status": [old, new]}}.',
        obj(_with(PO, changes=CHANGES)),
        _with(PO_EX, status="confirmed", changes={"status": ["submitted", "confirmed"]}),
        "orders",
    )
    _t(
        "goods_receipt.created",
        "A draft goods receipt (GRN) was recorded against a PO.",
        obj(GRN),
        _with(GRN_EX, status="draft", items=[_with(GRN_EX["items"][0], lp_number=None)]),
        "inventory",
    )
    _t(
        "goods_receipt.completed",
        "A goods receipt was booked: LPs created, PO updated.",
        obj(GRN),
        GRN_EX,
        "inventory",
    )


def _production() -> None:
    _t("workorder.created", "A work order was created.", obj(WO), WO_EX, "production")
    _t(
        "workorder.started",
        "A released work order started production.",
        obj(_with(WO, started_at=DATETIME)),
        _with(WO_EX, status="in_progress", started_at="2026-11-26T06:02:11Z"),
        "production",
    )
    _t(
        "workorder.completed",
        "A work order finished; qty_completed is the output.",
        obj(_with(WO, qty_completed=DECIMAL, completed_at=DATETIME), {"lp_number": NULLABLE_STR}),
        _with(
            WO_EX,
            status="completed",
            produced_quantity="1180.0000",
            qty_completed="1180.0000",
            completed_at="2026-11-26T13:47:03Z",
            lp_number="LP00000456",
        ),
        "production",
    )
    _t(
        "workorder.status_changed",
        "A work order changed status (other than start/complete).",
        obj(_with(WO, from_status=STR, to_status=STR, pause_reason=STR)),
        _with(
            WO_EX,
            status="on_hold",
            from_status="in_progress",
            to_status="on_hold",
            pause_reason="Awaria maszyny do formowania",
        ),
        "production",
    )


def _inventory() -> None:
    _t(
        "license_plate.created",
        "A license plate (unit of stock) was created.",
        obj(LP),
        LP_EX,
        "inventory",
    )
    _t(
        "license_plate.moved",
        "A license plate moved to another location.",
        obj(_with(LP, from_location=STR, to_location=STR)),
        _with(
            LP_EX, location="WH-FG/DISP", from_location="WH-FG/CHL/R01", to_location="WH-FG/DISP"
        ),
        "inventory",
    )
    _t(
        "license_plate.consumed",
        "Quantity was taken from a license plate (production or "
        "shipment); at zero its status is consumed.",
        obj(_with(LP, consumed_quantity=DECIMAL), {"wo_number": NULLABLE_STR}),
        _with(
            LP_EX,
            quantity="0.0000",
            status="consumed",
            consumed_quantity="480.0000",
            wo_number=None,
        ),
        "inventory",
    )
    _t(
        "license_plate.blocked",
        "A license plate was blocked.",
        obj(_with(LP, block_reason=STR)),
        _with(LP_EX, status="blocked", block_reason="Reklamacja jakościowa"),
        "inventory",
    )
    _t(
        "inventory.low",
        "Available stock of a product dropped below its minimum.",
        obj(
            {
                "product_id": STR,
                "product_code": STR,
                "product_name": STR,
                "available_quantity": DECIMAL,
                "min_stock": DECIMAL,
                "uom": STR,
            }
        ),
        {
            "product_id": PRODUCT_EX["product_id"],
            "product_code": "FG-PIER-RUS",
            "product_name": "Pierogi ruskie 400 g",
            "available_quantity": "150.0000",
            "min_stock": "200.0000",
            "uom": "szt",
        },
        "inventory",
    )


def _sales() -> None:
    full = obj(_with(SO, lines=array_of(SO_LINE)))
    _t(
        "sales_order.created",
        "A sales order was created (manual, API, EDI or portal).",
        full,
        _with(SO_EX, lines=[SO_LINE_EX]),
        "sales",
    )
    _t(
        "sales_order.updated",
        "A sales order changed; `changes` holds [old, new] per field.",
        obj(_with(SO, lines=array_of(SO_LINE), changes=CHANGES)),
        _with(
            SO_EX,
            lines=[SO_LINE_EX],
            changes={"required_delivery_date": ["2026-11-28", "2026-11-29"]},
        ),
        "sales",
    )
    _t(
        "sales_order.confirmed",
        "A sales order was confirmed.",
        full,
        _with(SO_EX, status="confirmed", lines=[SO_LINE_EX]),
        "sales",
    )
    _t(
        "sales_order.cancelled",
        "A sales order was cancelled.",
        obj(_with(SO, from_status=STR, reason=STR)),
        _with(SO_EX, status="cancelled", from_status="confirmed", reason="Klient anulował"),
        "sales",
    )
    _t(
        "sales_order.status_changed",
        "A sales order changed status (other than confirm and cancel).",
        obj(_with(SO, from_status=STR, to_status=STR)),
        _with(SO_EX, status="shipped", from_status="packing", to_status="shipped"),
        "sales",
    )


def _shipping() -> None:
    _t(
        "shipment.created",
        "A shipment was created for a sales order.",
        obj(SHIPMENT),
        SHIPMENT_EX,
        "shipping",
    )
    _t(
        "shipment.status_changed",
        "A shipment changed status (other than shipped/delivered).",
        obj(_with(SHIPMENT, from_status=STR, to_status=STR)),
        _with(SHIPMENT_EX, status="packed", from_status="packing", to_status="packed"),
        "shipping",
    )
    _t(
        "shipment.dispatched",
        "A shipment left the warehouse (status shipped).",
        obj(_with(SHIPMENT, shipped_at=DATETIME, boxes=array_of(BOX))),
        _with(
            SHIPMENT_EX,
            status="shipped",
            tracking_number="0000712345678901",
            total_boxes=1,
            shipped_at="2026-11-26T15:20:00Z",
            boxes=[
                {
                    "box_number": 1,
                    "sscc": "059012341000000014",
                    "contents": [
                        {
                            "product_code": "FG-PIER-RUS",
                            "quantity": "480.0000",
                            "lot_number": "B261125-01",
                            "expiry_date": "2026-12-16",
                        }
                    ],
                }
            ],
        ),
        "shipping",
    )
    _t(
        "shipment.delivered",
        "A shipment was delivered to the customer.",
        obj(_with(SHIPMENT, delivered_at=DATETIME)),
        _with(SHIPMENT_EX, status="delivered", delivered_at="2026-11-27T09:05:00Z"),
        "shipping",
    )


def _invoicing() -> None:
    _t(
        "invoice.created",
        "A draft sales invoice was created.",
        obj(INVOICE),
        INVOICE_EX,
        "invoices",
    )
    _t(
        "invoice.finalized",
        "An invoice was finalised: number assigned, totals frozen.",
        obj(
            _with(
                INVOICE,
                invoice_number=STR,
                buyer=obj({"name": STR, "tax_id": STR, "gln": STR}),
                vat_breakdown=array_of(VAT_ROW),
                lines=array_of(INVOICE_LINE),
            )
        ),
        FINALIZED_EX,
        "invoices",
    )
    _t(
        "invoice.paid",
        "An invoice was paid in full.",
        obj(_with(INVOICE, paid_on=DATE)),
        _with(
            FINALIZED_EX | {"payment_status": "paid", "amount_paid": "3628.80"},
            paid_on="2026-12-20",
        ),
        "invoices",
    )
    _t(
        "payment.recorded",
        "A payment was recorded against an invoice.",
        obj(PAYMENT),
        PAYMENT_EX,
        "invoices",
    )
