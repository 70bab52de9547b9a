"""ORDERS in -> a draft sales order (source "edi"), or pending review with every reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from monopilot.edi import messages as store
from monopilot.edi.eancom.orders import OrderData, OrderLine, Party, read_orders
from monopilot.edi.edifact import Message
from monopilot.edi.messages import safe
from monopilot.edi.models import EdiMessage, MessageDirection, MessageStatus, TradingPartner
from monopilot.erp.models import Customer, CustomerAddress, Product, SalesOrder, SoSource
from monopilot.erp.services.sales import so_create
from monopilot.tenancy.scoping import scoped

Problems = list[dict[str, Any]]
LIMIT = Decimal("1000000000")


def _err(position: int, tag: str, text: str) -> dict[str, Any]:
    return {"segment_position": position, "segment_tag": tag, "message": safe(text)}


def gtin_forms(value: str) -> list[str]:
    """A GTIN as stored in 8/12/13/14-digit form (LIN 7140 may pad with zeros)."""
    digits = value.strip()
    if not digits.isdigit() or len(digits) > 14:
        return []
    full = digits.zfill(14)
    return [full[-n:] for n in (8, 12, 13, 14) if set(full[: 14 - n]) <= {"0"}]


def process(row: EdiMessage, msg: Message, partner: TradingPartner) -> None:
    order = read_orders(msg)
    row.document_number = safe(order.number, 70)
    row.save(update_fields=["document_number", "updated_at"])
    errors: Problems = [_err(p, t, x) for p, t, x in order.problems]
    if not order.number:
        errors.append(_err(order.bgm_position or 2, "BGM", "order number (BGM 1004) is empty"))
    if order.number and _duplicate(row, partner, order.number):
        return
    customer = _customer(row, order, errors)
    address = _address(row, order, customer, errors) if customer else None
    lines = [_line(row, line, errors) for line in order.lines]
    if not order.lines:
        errors.append(_err(order.bgm_position, "LIN", "the order has no lines"))
    if errors or customer is None:
        store.review(row, errors)
        return
    _create(row, order, customer, address, lines)


def _duplicate(row: EdiMessage, partner: TradingPartner, number: str) -> bool:
    first = (
        scoped(EdiMessage, row.org)
        .filter(
            partner=partner,
            direction=MessageDirection.INBOUND,
            message_type="ORDERS",
            document_number=number,
            status=MessageStatus.PROCESSED,
        )
        .exclude(pk=row.pk)
        .order_by("created_at")
        .first()
    )
    if first is None:
        return False
    text = f"duplicate order {number} from {partner.name}: already processed in message {first.id}"
    row.related = first
    row.errors = [_err(2, "BGM", text)]
    store.move(row, MessageStatus.ERROR)
    return True


def _customer(row: EdiMessage, order: OrderData, errors: Problems) -> Customer | None:
    buyer = order.parties.get("BY")
    if buyer is None:
        errors.append(_err(order.bgm_position, "NAD", "no buyer (NAD+BY) in the order"))
        return None
    customers = scoped(Customer, row.org)
    found = customers.filter(gln=buyer.id).first() if buyer.id.isdigit() else None
    tax_id = "".join(c for c in buyer.vat_id if c.isdigit())
    if found is None and tax_id:
        found = customers.filter(tax_id=tax_id).first()
    if found is None and buyer.id:
        found = customers.filter(customer_code__iexact=buyer.id).first()
    if found is None:
        errors.append(_err(buyer.position, "NAD", _not_found("customer", buyer)))
    return found


def _not_found(what: str, party: Party) -> str:
    tried = f"GLN {party.id or '(empty)'}"
    if party.vat_id:
        tried += f", tax id {party.vat_id}"
    if what == "customer":
        tried += f", customer code {party.id or '(empty)'}"
    return f"NAD+{party.qualifier}: no {what} with {tried}"


def _address(
    row: EdiMessage, order: OrderData, customer: Customer, errors: Problems
) -> CustomerAddress | None:
    dp = order.parties.get("DP")
    if dp is None or not dp.id:
        return None
    address = scoped(CustomerAddress, row.org).filter(customer=customer, gln=dp.id).first()
    if address is None:
        errors.append(
            _err(
                dp.position,
                "NAD",
                f"NAD+DP: {customer.customer_code} has no address with GLN {dp.id}",
            )
        )
    return address


def _line(row: EdiMessage, line: OrderLine, errors: Problems) -> dict[str, Any] | None:
    where = f"line {line.line_number or '?'}"
    product = _product(row, line)
    if product is None:
        tried = ", ".join(
            [f"GTIN {line.gtin}"] * bool(line.gtin) + [f"code {c}" for c in line.codes]
        )
        errors.append(_err(line.position, "LIN", f"{where}: no product with {tried or 'no id'}"))
    if line.quantity is None or line.quantity <= 0:
        errors.append(
            _err(
                line.position, "QTY", f"{where}: ordered quantity (QTY+21) missing or not positive"
            )
        )
    for tag, value in (("QTY", line.quantity), ("PRI", line.price)):
        if value is not None and not _fits(value):
            errors.append(
                _err(
                    line.position,
                    tag,
                    f"{where}: {tag} value {value} is out of range "
                    "(at most 9 integer digits and 4 decimals)",
                )
            )
            return None
    if product is None or line.quantity is None:
        return None
    values: dict[str, Any] = {"product": product, "quantity": line.quantity}
    if line.price is not None:
        values["unit_price"] = line.price
    return values


def _fits(value: Decimal) -> bool:
    return abs(value) < LIMIT and value == value.quantize(Decimal("0.0001"))


def _product(row: EdiMessage, line: OrderLine) -> Product | None:
    products = scoped(Product, row.org).filter(deleted_at__isnull=True)
    forms = gtin_forms(line.gtin)
    found = products.filter(gtin__in=forms).first() if forms else None
    for code in [line.gtin, *line.codes] if found is None else []:
        if code:
            found = products.filter(Q(code__iexact=code)).first()
        if found is not None:
            break
    return found


def _create(
    row: EdiMessage,
    order: OrderData,
    customer: Customer,
    address: CustomerAddress | None,
    lines: list[dict[str, Any] | None],
) -> None:
    try:
        so = so_create(
            org=row.org,
            customer=customer,
            lines=[line for line in lines if line is not None],
            customer_po=safe(order.number, 50),
            source=SoSource.EDI,
            shipping_address=address,
            order_date=order.order_date,
            required_delivery_date=order.delivery_date,
            currency=order.currency[:3],
            notes=f"EDI ORDERS {row.interchange_ref}/{row.message_ref}",
        )
    except ValidationError as exc:
        store.review(row, [_err(order.bgm_position, "BGM", text) for text in exc.messages])
        return
    store.processed(row, document_type="sales_order", document_id=so.id)


def sales_order_of(row: EdiMessage) -> SalesOrder | None:
    if row.document_type != "sales_order" or row.document_id is None:
        return None
    return scoped(SalesOrder, row.org).filter(pk=row.document_id).first()
