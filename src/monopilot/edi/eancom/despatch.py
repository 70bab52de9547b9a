"""DESADV and INVOIC (EANCOM 1997 D.96A / 2002 D.01B) from plain structures. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from monopilot.edi.eancom.ordrsp import decimal_text
from monopilot.edi.edifact import Message, Segment, segment

DESADV_ASSOC = {"D96A": "EAN005", "D01B": "EAN007"}
INVOIC_ASSOC = {"D96A": "EAN008", "D01B": "EAN010"}


def _release(directory: str) -> str:
    return "01B" if directory == "D01B" else "96A"


def _party(qualifier: str, gln: str) -> Segment:
    return segment("NAD", qualifier, [gln, "", "9"])


@dataclass
class PackedLine:
    gtin: str
    code: str
    quantity: Decimal
    batch: str = ""
    expiry: date | None = None


@dataclass
class Package:
    sscc: str
    weight: Decimal | None
    lines: list[PackedLine] = field(default_factory=list)


@dataclass
class Despatch:
    number: str
    issued: date
    shipped: date
    order_number: str
    buyer_gln: str
    supplier_gln: str
    delivery_gln: str
    tracking: str = ""
    packages: list[Package] = field(default_factory=list)


def build_desadv(d: Despatch, *, ref: str, directory: str = "D96A") -> Message:
    body = [
        segment("BGM", "351", d.number, "9"),
        segment("DTM", ["137", f"{d.issued:%Y%m%d}", "102"]),
        segment("DTM", ["11", f"{d.shipped:%Y%m%d}", "102"]),
        segment("RFF", ["ON", d.order_number]),
    ]
    if d.tracking:
        body.append(segment("RFF", ["CN", d.tracking]))
    body += [_party("BY", d.buyer_gln), _party("SU", d.supplier_gln)]
    if d.delivery_gln:
        body.append(_party("DP", d.delivery_gln))
    body.append(segment("CPS", "1"))
    item_type = "SRV" if directory == "D01B" else "EN"
    n = 0
    for index, package in enumerate(d.packages, start=2):
        body += [segment("CPS", str(index), "1"), segment("PAC", "1", "", "201")]
        if package.weight is not None:
            body.append(segment("MEA", "PD", "AAB", ["KGM", decimal_text(package.weight)]))
        body += [segment("PCI", "33E"), segment("GIN", "BJ", package.sscc)]
        for line in package.lines:
            n += 1
            body += _packed_line(n, line, item_type)
    body.append(segment("CNT", ["2", str(n)]))
    return Message(
        ref=ref,
        type="DESADV",
        version="D",
        release=_release(directory),
        agency="UN",
        association=DESADV_ASSOC.get(directory, "EAN005"),
        segments=body,
    )


def _packed_line(n: int, line: PackedLine, item_type: str) -> list[Segment]:
    out = [segment("LIN", str(n), "", [line.gtin, item_type] if line.gtin else "")]
    if not line.gtin:
        out.append(segment("PIA", "5", [line.code, "SA"]))
    out.append(segment("QTY", ["12", decimal_text(line.quantity)]))
    if line.batch or line.expiry:
        out.append(segment("PCI", "36E"))
        if line.expiry:
            out.append(segment("DTM", ["36", f"{line.expiry:%Y%m%d}", "102"]))
        if line.batch:
            out.append(segment("GIN", "BX", line.batch))
    return out


@dataclass
class InvoiceLine:
    gtin: str
    code: str
    quantity: Decimal
    unit_price: Decimal
    net: Decimal
    rate: Decimal
    category: str
    batch: str = ""


@dataclass
class VatRow:
    rate: Decimal
    category: str
    net: Decimal
    vat: Decimal


@dataclass
class InvoiceData:
    number: str
    issued: date
    delivered: date
    order_number: str
    buyer_gln: str
    buyer_vat: str
    supplier_gln: str
    currency: str
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    lines: list[InvoiceLine] = field(default_factory=list)
    vat: list[VatRow] = field(default_factory=list)


def invoice_problems(inv: InvoiceData) -> list[str]:
    """Totals that must reconcile to the cent before we send anything."""
    out = []
    if sum((ln.net for ln in inv.lines), Decimal(0)) != inv.total_net:
        out.append("sum of line amounts (MOA 203) differs from the invoice net total")
    if sum((v.net for v in inv.vat), Decimal(0)) != inv.total_net:
        out.append("per-rate taxable amounts (MOA 125) differ from the invoice net total")
    if sum((v.vat for v in inv.vat), Decimal(0)) != inv.total_vat:
        out.append("per-rate tax amounts (MOA 124) differ from the invoice VAT total")
    if inv.total_net + inv.total_vat != inv.total_gross:
        out.append("net + VAT differs from the gross total (MOA 77/86)")
    return out


def _tax(rate: Decimal, category: str) -> Segment:
    return segment("TAX", "7", "VAT", "", "", ["", "", "", decimal_text(rate)], category)


def _moa(qualifier: str, value: Decimal) -> Segment:
    return segment("MOA", [qualifier, f"{value:.2f}"])


def build_invoic(inv: InvoiceData, *, ref: str, directory: str = "D96A") -> Message:
    body = [
        segment("BGM", "380", inv.number, "9"),
        segment("DTM", ["137", f"{inv.issued:%Y%m%d}", "102"]),
        segment("DTM", ["35", f"{inv.delivered:%Y%m%d}", "102"]),
    ]
    if inv.order_number:
        body.append(segment("RFF", ["ON", inv.order_number]))
    body.append(_party("BY", inv.buyer_gln))
    if inv.buyer_vat:
        body.append(segment("RFF", ["VA", inv.buyer_vat]))
    body += [_party("SU", inv.supplier_gln), segment("CUX", ["2", inv.currency, "4"])]
    item_type = "SRV" if directory == "D01B" else "EN"
    for n, line in enumerate(inv.lines, start=1):
        body.append(segment("LIN", str(n), "", [line.gtin, item_type] if line.gtin else ""))
        if not line.gtin:
            body.append(segment("PIA", "5", [line.code, "SA"]))
        body += [segment("QTY", ["47", decimal_text(line.quantity)]), _moa("203", line.net)]
        body.append(segment("PRI", ["AAA", decimal_text(line.unit_price)]))
        if line.batch:
            body.append(segment("RFF", ["BT", line.batch]))
        body.append(_tax(line.rate, line.category))
    body += [segment("UNS", "S"), segment("CNT", ["2", str(len(inv.lines))])]
    body += [
        _moa("79", inv.total_net),
        _moa("125", inv.total_net),
        _moa("176", inv.total_vat),
        _moa("77", inv.total_gross),
        _moa("86", inv.total_gross),
    ]
    for row in inv.vat:
        body += [_tax(row.rate, row.category), _moa("125", row.net), _moa("124", row.vat)]
    return Message(
        ref=ref,
        type="INVOIC",
        version="D",
        release=_release(directory),
        agency="UN",
        association=INVOIC_ASSOC.get(directory, "EAN008"),
        segments=body,
    )
