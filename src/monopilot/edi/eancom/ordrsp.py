"""ORDRSP (EANCOM 1997, D.96A EAN005 / 2002 D.01B EAN008) from a plain response structure.

Pure: no Django. BGM 231 with 1225 ``29`` accepted, ``4`` accepted with changes, ``27``
not accepted; LIN 1229 ``5`` accepted, ``3`` changed, ``7`` not accepted (eancom-notes 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from monopilot.edi.edifact import Message, Segment, segment

ACCEPTED, CHANGED, REJECTED = "29", "4", "27"
_LINE_ACTION = {ACCEPTED: "5", CHANGED: "3", REJECTED: "7"}
ASSOCIATION = {"D96A": "EAN005", "D01B": "EAN008"}


@dataclass
class ResponseLine:
    line_number: int
    gtin: str
    code: str
    ordered: Decimal
    confirmed: Decimal
    price: Decimal


@dataclass
class OrderResponse:
    number: str
    function: str
    issued: date
    order_number: str
    order_date: date
    buyer_gln: str
    supplier_gln: str
    delivery_gln: str = ""
    reason: str = ""
    lines: list[ResponseLine] = field(default_factory=list)


def decimal_text(value: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros after the mark."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def build_ordrsp(resp: OrderResponse, *, ref: str, directory: str = "D96A") -> Message:
    body: list[Segment] = [
        segment("BGM", "231", resp.number, resp.function),
        segment("DTM", ["137", f"{resp.issued:%Y%m%d}", "102"]),
    ]
    if resp.reason:
        body.append(segment("FTX", "AAO", "", "", [resp.reason[:512]]))
    body += [
        segment("RFF", ["ON", resp.order_number]),
        segment("DTM", ["171", f"{resp.order_date:%Y%m%d}", "102"]),
        segment("NAD", "BY", [resp.buyer_gln, "", "9"]),
        segment("NAD", "SU", [resp.supplier_gln, "", "9"]),
    ]
    if resp.delivery_gln:
        body.append(segment("NAD", "DP", [resp.delivery_gln, "", "9"]))
    item_type = "SRV" if directory == "D01B" else "EN"
    for line in resp.lines:
        body += _line(line, _LINE_ACTION[resp.function], item_type)
    body += [segment("UNS", "S"), segment("CNT", ["2", str(len(resp.lines))])]
    release = "01B" if directory == "D01B" else "96A"
    return Message(
        ref=ref,
        type="ORDRSP",
        version="D",
        release=release,
        agency="UN",
        association=ASSOCIATION.get(directory, "EAN005"),
        segments=body,
    )


def _line(line: ResponseLine, action: str, item_type: str) -> list[Segment]:
    item = [line.gtin, item_type] if line.gtin else ""
    out = [segment("LIN", str(line.line_number), action, item)]
    if not line.gtin:
        out.append(segment("PIA", "5", [line.code, "SA"]))
    out.append(segment("QTY", ["21", decimal_text(line.ordered)]))
    if action != "7":
        out.append(segment("QTY", ["12", decimal_text(line.confirmed)]))
    out.append(segment("PRI", ["AAA", decimal_text(line.price)]))
    return out
