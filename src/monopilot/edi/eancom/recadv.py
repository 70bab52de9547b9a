"""RECADV (EANCOM D.96A / D.01B) -> a plain receipt structure with positions. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from monopilot.edi.eancom.orders import edi_date, number
from monopilot.edi.edifact import Message, Segment

_RECEIVED = ("48", "194", "46")  # received, received and accepted, delivered


@dataclass
class ReceiptLine:
    position: int
    gtin: str
    codes: list[str]
    quantity: Decimal | None = None
    qualifier: str = ""
    batch: str = ""
    expiry: date | None = None


@dataclass
class ReceiptData:
    number: str
    order_number: str = ""
    order_position: int = 0
    delivery_note: str = ""
    despatch_advice: str = ""
    received: date | None = None
    lines: list[ReceiptLine] = field(default_factory=list)


def read_recadv(message: Message) -> ReceiptData:
    data = ReceiptData(number="")
    line: ReceiptLine | None = None
    for seg in message.body:
        if seg.tag == "LIN":
            line = ReceiptLine(seg.position, seg.value(3, 1), [])
            data.lines.append(line)
        elif line is None:
            _header(data, seg)
        else:
            _line(line, seg)
    return data


def _header(data: ReceiptData, seg: Segment) -> None:
    if seg.tag == "BGM":
        data.number = seg.value(2)
    elif seg.tag == "DTM" and seg.value(1, 1) == "50":
        data.received = edi_date(seg.value(1, 2), seg.value(1, 3))
    elif seg.tag == "RFF":
        qualifier, value = seg.value(1, 1), seg.value(1, 2)
        if qualifier == "ON" and not data.order_number:
            data.order_number, data.order_position = value, seg.position
        elif qualifier == "DQ":
            data.delivery_note = value
        elif qualifier == "AAK":
            data.despatch_advice = value


def _line(line: ReceiptLine, seg: Segment) -> None:
    if seg.tag == "PIA":
        line.codes += [seg.value(i, 1) for i in range(2, 7) if seg.value(i, 1)]
    elif seg.tag == "QTY" and seg.value(1, 1) in _RECEIVED:
        rank = _RECEIVED.index(seg.value(1, 1))
        if not line.qualifier or rank < _RECEIVED.index(line.qualifier):
            line.quantity, line.qualifier = number(seg.value(1, 2)), seg.value(1, 1)
    elif seg.tag == "DTM" and seg.value(1, 1) in ("36", "361"):
        line.expiry = edi_date(seg.value(1, 2), seg.value(1, 3))
    elif (seg.tag == "RFF" and seg.value(1, 1) == "BT") or (
        seg.tag == "GIN" and seg.value(1) == "BX"
    ):
        line.batch = seg.value(1, 2) if seg.tag == "RFF" else seg.value(2, 1)
