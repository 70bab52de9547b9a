"""JSON Schema fragments and realistic examples of the erp event payloads (used by
event_types.py). Examples use fictional firms with valid check digits."""

from __future__ import annotations

from typing import Any

from monopilot.events.catalogue import (
    BOOL,
    DATE,
    DECIMAL,
    INT,
    NULLABLE_STR,
    STR,
    array_of,
    obj,
)

NULLABLE_DECIMAL: dict[str, Any] = {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d+)?$"}
CHANGES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2},
}

PRODUCT = {
    "product_id": STR,
    "code": STR,
    "name": STR,
    "product_type": STR,
    "base_uom": STR,
    "status": STR,
    "gtin": STR,
    "tax_code": NULLABLE_STR,
    "min_stock": NULLABLE_DECIMAL,
    "allergens": array_of(STR),
}
PRODUCT_EX = {
    "product_id": "6f1c2a8e-3b7d-4c1e-9a51-0d2f7e4b8c10",
    "code": "FG-PIER-RUS",
    "name": "Pierogi ruskie 400 g",
    "product_type": "FG",
    "base_uom": "szt",
    "status": "active",
    "gtin": "5901234123457",
    "tax_code": "5",
    "min_stock": "200.0000",
    "allergens": ["A01", "A03", "A07"],
}
BOM = {
    "bom_id": STR,
    "product_id": STR,
    "product_code": STR,
    "version": INT,
    "status": STR,
    "effective_from": DATE,
    "effective_to": DATE,
    "output_qty": DECIMAL,
    "items": array_of(
        obj(
            {
                "sequence": INT,
                "product_code": STR,
                "quantity": DECIMAL,
                "uom": STR,
                "is_output": BOOL,
            }
        )
    ),
}
BOM_EX = {
    "bom_id": "0b9d4b8e-2a51-4f7a-8f0e-6f5d2c7a9e31",
    "product_id": PRODUCT_EX["product_id"],
    "product_code": "FG-PIER-RUS",
    "version": 1,
    "status": "draft",
    "effective_from": "2026-01-01",
    "effective_to": None,
    "output_qty": "100.0000",
    "items": [
        {
            "sequence": 10,
            "product_code": "RM-MAKA-550",
            "quantity": "16.0000",
            "uom": "kg",
            "is_output": False,
        }
    ],
}
SUPPLIER = {
    "supplier_id": STR,
    "code": STR,
    "name": STR,
    "tax_id": STR,
    "gln": STR,
    "currency": STR,
    "is_active": BOOL,
}
SUPPLIER_EX = {
    "supplier_id": "c3a2f1e0-7b6d-4e5f-9a8b-1c2d3e4f5a6b",
    "code": "SUP-MLYN",
    "name": "Młyn Szczepanki sp. z o.o.",
    "tax_id": "5261040828",
    "gln": "5900000000015",
    "currency": "PLN",
    "is_active": True,
}
CUSTOMER = {
    "customer_id": STR,
    "customer_code": STR,
    "name": STR,
    "tax_id": STR,
    "gln": STR,
    "category": STR,
    "is_active": BOOL,
}
CUSTOMER_EX = {
    "customer_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "customer_code": "CUS-BIEDR",
    "name": "Jeronimo Martins Polska S.A.",
    "tax_id": "7791011327",
    "gln": "5900000000107",
    "category": "retail",
    "is_active": True,
}
PO = {
    "po_id": STR,
    "po_number": STR,
    "status": STR,
    "supplier_id": STR,
    "supplier_code": STR,
    "supplier_name": STR,
    "currency": STR,
    "expected_delivery_date": DATE,
    "warehouse_code": STR,
    "subtotal": DECIMAL,
    "tax_amount": DECIMAL,
    "total": DECIMAL,
}
PO_LINE = obj(
    {
        "line_number": INT,
        "product_code": STR,
        "quantity": DECIMAL,
        "uom": STR,
        "unit_price": DECIMAL,
        "line_total": DECIMAL,
        "received_qty": DECIMAL,
    }
)
PO_EX = {
    "po_id": "5d6e7f80-91a2-4b3c-8d4e-5f60718293a4",
    "po_number": "PO-2026-00042",
    "status": "draft",
    "supplier_id": SUPPLIER_EX["supplier_id"],
    "supplier_code": "SUP-MLYN",
    "supplier_name": "Młyn Szczepanki sp. z o.o.",
    "currency": "PLN",
    "expected_delivery_date": "2026-12-02",
    "warehouse_code": "WH-RM",
    "subtotal": "2400.00",
    "tax_amount": "120.00",
    "total": "2520.00",
}
PO_LINE_EX = {
    "line_number": 1,
    "product_code": "RM-MAKA-550",
    "quantity": "1000.0000",
    "uom": "kg",
    "unit_price": "2.4000",
    "line_total": "2400.00",
    "received_qty": "0.0000",
}
GRN = {
    "grn_id": STR,
    "grn_number": STR,
    "status": STR,
    "po_id": NULLABLE_STR,
    "po_number": NULLABLE_STR,
    "delivery_note_number": STR,
    "receipt_date": DATE,
    "warehouse_code": STR,
    "items": array_of(
        obj(
            {
                "product_code": STR,
                "received_qty": DECIMAL,
                "uom": STR,
                "batch_number": STR,
                "expiry_date": DATE,
                "lp_number": NULLABLE_STR,
            }
        )
    ),
}
GRN_EX: dict[str, Any] = {
    "grn_id": "7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b",
    "grn_number": "GRN-2026-00017",
    "status": "completed",
    "po_id": PO_EX["po_id"],
    "po_number": "PO-2026-00042",
    "delivery_note_number": "WZ/1187/11/2026",
    "receipt_date": "2026-11-25",
    "warehouse_code": "WH-RM",
    "items": [
        {
            "product_code": "RM-MAKA-550",
            "received_qty": "1000.0000",
            "uom": "kg",
            "batch_number": "M2611-07",
            "expiry_date": "2027-05-25",
            "lp_number": "LP00000123",
        }
    ],
}
WO = {
    "wo_id": STR,
    "wo_number": STR,
    "status": STR,
    "product_id": STR,
    "product_code": STR,
    "product_name": STR,
    "planned_quantity": DECIMAL,
    "produced_quantity": DECIMAL,
    "uom": STR,
    "planned_start_date": DATE,
}
WO_EX = {
    "wo_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
    "wo_number": "WO-20261125-0003",
    "status": "draft",
    "product_id": PRODUCT_EX["product_id"],
    "product_code": "FG-PIER-RUS",
    "product_name": "Pierogi ruskie 400 g",
    "planned_quantity": "1200.0000",
    "produced_quantity": "0.0000",
    "uom": "szt",
    "planned_start_date": "2026-11-26",
}
LP = {
    "lp_id": STR,
    "lp_number": STR,
    "product_id": STR,
    "product_code": STR,
    "quantity": DECIMAL,
    "uom": STR,
    "status": STR,
    "qa_status": STR,
    "batch_number": STR,
    "expiry_date": DATE,
    "location": STR,
    "warehouse_code": STR,
    "source": STR,
    "sscc": STR,
}
LP_EX = {
    "lp_id": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
    "lp_number": "LP00000123",
    "product_id": PRODUCT_EX["product_id"],
    "product_code": "FG-PIER-RUS",
    "quantity": "480.0000",
    "uom": "szt",
    "status": "available",
    "qa_status": "passed",
    "batch_number": "B261125-01",
    "expiry_date": "2026-12-16",
    "location": "WH-FG/CHL/R01",
    "warehouse_code": "WH-FG",
    "source": "production",
    "sscc": "",
}
SO = {
    "sales_order_id": STR,
    "order_number": STR,
    "status": STR,
    "customer_id": STR,
    "customer_code": STR,
    "customer_name": STR,
    "customer_po": STR,
    "source": STR,
    "order_date": DATE,
    "required_delivery_date": DATE,
    "total_amount": DECIMAL,
    "currency": STR,
}
SO_LINE = obj(
    {
        "line_number": INT,
        "product_code": STR,
        "gtin": STR,
        "quantity_ordered": DECIMAL,
        "quantity_shipped": DECIMAL,
        "unit_price": DECIMAL,
        "line_total": DECIMAL,
    }
)
SO_EX = {
    "sales_order_id": "2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819",
    "order_number": "SO-2026-00211",
    "status": "draft",
    "customer_id": CUSTOMER_EX["customer_id"],
    "customer_code": "CUS-BIEDR",
    "customer_name": "Jeronimo Martins Polska S.A.",
    "customer_po": "4500123456",
    "source": "edi",
    "order_date": "2026-11-25",
    "required_delivery_date": "2026-11-28",
    "total_amount": "3456.00",
    "currency": "PLN",
}
SO_LINE_EX = {
    "line_number": 1,
    "product_code": "FG-PIER-RUS",
    "gtin": "5901234123457",
    "quantity_ordered": "480.0000",
    "quantity_shipped": "0.0000",
    "unit_price": "7.2000",
    "line_total": "3456.00",
}
SHIPMENT = {
    "shipment_id": STR,
    "shipment_number": STR,
    "status": STR,
    "sales_order_id": STR,
    "order_number": STR,
    "customer_code": STR,
    "carrier": STR,
    "tracking_number": STR,
    "total_boxes": INT,
}
SHIPMENT_EX = {
    "shipment_id": "3c4d5e6f-7081-492a-b3c4-d5e6f708192a",
    "shipment_number": "SH-2026-00098",
    "status": "pending",
    "sales_order_id": SO_EX["sales_order_id"],
    "order_number": "SO-2026-00211",
    "customer_code": "CUS-BIEDR",
    "carrier": "dpd",
    "tracking_number": "",
    "total_boxes": 0,
}
BOX = obj(
    {
        "box_number": INT,
        "sscc": STR,
        "contents": array_of(
            obj({"product_code": STR, "quantity": DECIMAL, "lot_number": STR, "expiry_date": DATE})
        ),
    }
)
INVOICE = {
    "invoice_id": STR,
    "invoice_number": NULLABLE_STR,
    "status": STR,
    "payment_status": STR,
    "customer_id": STR,
    "customer_code": STR,
    "order_number": NULLABLE_STR,
    "shipment_number": NULLABLE_STR,
    "currency": STR,
    "issue_date": DATE,
    "sale_date": DATE,
    "due_date": DATE,
    "total_net": DECIMAL,
    "total_vat": DECIMAL,
    "total_gross": DECIMAL,
    "amount_paid": DECIMAL,
    "split_payment": BOOL,
}
INVOICE_EX = {
    "invoice_id": "4d5e6f70-8192-4a3b-84c5-d6e7f8091a2b",
    "invoice_number": None,
    "status": "draft",
    "payment_status": "unpaid",
    "customer_id": CUSTOMER_EX["customer_id"],
    "customer_code": "CUS-BIEDR",
    "order_number": "SO-2026-00211",
    "shipment_number": "SH-2026-00098",
    "currency": "PLN",
    "issue_date": None,
    "sale_date": None,
    "due_date": None,
    "total_net": "3456.00",
    "total_vat": "172.80",
    "total_gross": "3628.80",
    "amount_paid": "0.00",
    "split_payment": False,
}
VAT_ROW = obj({"symbol": STR, "rate": DECIMAL, "net": DECIMAL, "vat": DECIMAL, "gross": DECIMAL})
INVOICE_LINE = obj(
    {
        "line_number": INT,
        "product_code": NULLABLE_STR,
        "description": STR,
        "quantity": DECIMAL,
        "uom": STR,
        "unit_price": DECIMAL,
        "vat_rate": DECIMAL,
        "vat_symbol": STR,
        "net_amount": DECIMAL,
        "vat_amount": DECIMAL,
        "gross_amount": DECIMAL,
        "batch_number": STR,
    }
)
FINALIZED_EX = {
    **INVOICE_EX,
    "invoice_number": "FV/0007/11/2026",
    "status": "finalized",
    "issue_date": "2026-11-25",
    "sale_date": "2026-11-25",
    "due_date": "2026-12-25",
    "buyer": {
        "name": "Jeronimo Martins Polska S.A.",
        "tax_id": "7791011327",
        "gln": "5900000000107",
    },
    "vat_breakdown": [
        {"symbol": "5", "rate": "5.00", "net": "3456.00", "vat": "172.80", "gross": "3628.80"}
    ],
    "lines": [
        {
            "line_number": 1,
            "product_code": "FG-PIER-RUS",
            "description": "Pierogi ruskie 400 g",
            "quantity": "480.0000",
            "uom": "szt",
            "unit_price": "7.2000",
            "vat_rate": "5.00",
            "vat_symbol": "5",
            "net_amount": "3456.00",
            "vat_amount": "172.80",
            "gross_amount": "3628.80",
            "batch_number": "B261125-01",
        }
    ],
}
PAYMENT = {
    "payment_id": STR,
    "invoice_id": STR,
    "invoice_number": STR,
    "amount": DECIMAL,
    "currency": STR,
    "payment_date": DATE,
    "method": STR,
    "reference": STR,
    "external_id": STR,
    "amount_paid": DECIMAL,
    "payment_status": STR,
}
PAYMENT_EX = {
    "payment_id": "5e6f7081-92a3-4b4c-95d6-e7f8091a2b3c",
    "invoice_id": INVOICE_EX["invoice_id"],
    "invoice_number": "FV/0007/11/2026",
    "amount": "1000.00",
    "currency": "PLN",
    "payment_date": "2026-12-10",
    "method": "bank_transfer",
    "reference": "/VAT/172,80/IDC/5252248481/INV/FV/0007/11/2026",
    "external_id": "MT940-8812",
    "amount_paid": "1000.00",
    "payment_status": "partial",
}
