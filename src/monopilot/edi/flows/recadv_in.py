"""RECADV in -> a draft goods receipt on the purchase order named in RFF+ON."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from monopilot.edi import messages as store
from monopilot.edi.eancom.recadv import ReceiptData, ReceiptLine, read_recadv
from monopilot.edi.edifact import Message
from monopilot.edi.flows.orders_in import gtin_forms
from monopilot.edi.messages import safe
from monopilot.edi.models import EdiMessage, MessageStatus, TradingPartner
from monopilot.erp.models import GoodsReceipt, PurchaseOrder
from monopilot.erp.models.warehouse import GrnStatus
from monopilot.erp.services.purchasing import grn_create_draft
from monopilot.tenancy.scoping import scoped


def _err(position: int, tag: str, text: str) -> dict[str, Any]:
    return {"segment_position": position, "segment_tag": tag, "message": safe(text)}


def process(row: EdiMessage, msg: Message, partner: TradingPartner) -> None:
    data = read_recadv(msg)
    note = data.delivery_note or data.despatch_advice or data.number
    row.document_number = safe(note, 70)
    row.save(update_fields=["document_number", "updated_at"])
    po = _po(row, partner, data)
    if po is None:
        where = data.order_position or 2
        text = (
            f"RFF+ON {data.order_number}: no purchase order with this number"
            if data.order_number
            else "no order reference (RFF+ON) in the receiving advice"
        )
        store.review(row, [_err(where, "RFF", text)])
        return
    if note and _duplicate(po, note):
        row.errors = [
            _err(2, "BGM", f"duplicate delivery note {note}: already received on {po.po_number}")
        ]
        store.move(row, MessageStatus.ERROR)
        return
    errors: list[dict[str, Any]] = []
    items = [item for ln in data.lines if (item := _item(po, ln, errors)) is not None]
    if not data.lines:
        errors.append(_err(2, "LIN", "the receiving advice has no lines"))
    if errors:
        store.review(row, errors)
        return
    try:
        grn = grn_create_draft(
            po=po,
            items=items,
            delivery_note_number=note[:50],
            receipt_date=data.received,
            notes=f"EDI RECADV {row.interchange_ref}/{row.message_ref}",
        )
    except ValidationError as exc:
        store.review(row, [_err(2, "LIN", text) for text in exc.messages])
        return
    store.processed(row, document_type="goods_receipt", document_id=grn.id)


def _po(row: EdiMessage, partner: TradingPartner, data: ReceiptData) -> PurchaseOrder | None:
    if not data.order_number:
        return None
    orders = scoped(PurchaseOrder, row.org).filter(po_number=data.order_number)
    if partner.supplier_id:
        orders = orders.filter(supplier_id=partner.supplier_id)
    return orders.first()


def _duplicate(po: PurchaseOrder, note: str) -> bool:
    return (
        scoped(GoodsReceipt, po.org)
        .filter(po=po, delivery_note_number=note[:50])
        .exclude(status=GrnStatus.CANCELLED)
        .exists()
    )


def _item(
    po: PurchaseOrder, line: ReceiptLine, errors: list[dict[str, Any]]
) -> dict[str, Any] | None:
    lines = po.lines.select_related("product")
    forms = gtin_forms(line.gtin)
    found = lines.filter(product__gtin__in=forms).first() if forms else None
    for code in [] if found else [line.gtin, *line.codes]:
        found = found or (lines.filter(product__code__iexact=code).first() if code else None)
    if found is None:
        ids = ", ".join(x for x in [line.gtin, *line.codes] if x) or "no id"
        errors.append(_err(line.position, "LIN", f"no line of {po.po_number} for item {ids}"))
        return None
    if line.quantity is None or line.quantity <= 0:
        errors.append(_err(line.position, "QTY", "received quantity (QTY+48/194/46) missing"))
        return None
    item: dict[str, Any] = {"po_line": found, "received_qty": line.quantity}
    if line.batch:
        item["supplier_batch_number"] = line.batch[:50]
    if line.expiry:
        item["expiry_date"] = line.expiry
    return item
