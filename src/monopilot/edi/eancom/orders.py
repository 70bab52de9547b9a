"""ORDERS (EANCOM D.96A / D.01B) -> a plain order structure. Pure: no Django, no lookups.

Positions are kept (segment position, UNH = 1) so that whatever the app cannot resolve
is reported where it is in the message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from monopilot.edi.edifact import Message, Segment


@dataclass
class Party:
    qualifier: str
    id: str
    agency: str
    position: int
    vat_id: str = ""


@dataclass
class OrderLine:
    position: int
    line_number: str
    gtin: str
    codes: list[str]
    quantity: Decimal | None
    unit: str
    price: Decimal | None
    delivery_date: date | None = None


@dataclass
class OrderData:
    number: str
    bgm_position: int
    document_code: str
    function: str
    order_date: date | None
    delivery_date: date | None
    currency: str
    parties: dict[str, Party] = field(default_factory=dict)
    lines: list[OrderLine] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # position, tag, text


def number(value: str) -> Decimal | None:
    """EDIFACT decimal (`.` or `,` mark) as Decimal; None when empty or not a number."""
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def edi_date(value: str, fmt: str) -> date | None:
    """DTM C507 value by format 102/203/204 (or guessed from the length)."""
    digits = value.strip()
    patterns = {"102": "%Y%m%d", "203": "%Y%m%d%H%M", "204": "%Y%m%d%H%M%S", "101": "%y%m%d"}
    pattern = patterns.get(fmt) or {8: "%Y%m%d", 12: "%Y%m%d%H%M", 6: "%y%m%d"}.get(len(digits))
    if not pattern:
        return None
    try:
        return datetime.strptime(digits, pattern).date()
    except ValueError:
        return None


def read_orders(message: Message) -> OrderData:
    order = OrderData("", 0, "", "", None, None, "")
    line: OrderLine | None = None
    last_party: Party | None = None
    for seg in message.body:
        line, last_party = _apply(order, seg, line, last_party)
    return order


def _apply(
    order: OrderData, seg: Segment, line: OrderLine | None, party: Party | None
) -> tuple[OrderLine | None, Party | None]:
    tag = seg.tag
    if tag == "BGM":
        order.document_code = seg.value(1)
        order.number = seg.value(2)
        order.function = seg.value(3)
        order.bgm_position = seg.position
    elif tag == "DTM":
        _date(order, seg, line)
    elif tag == "NAD" and line is None:
        party = Party(seg.value(1), seg.value(2, 1), seg.value(2, 3), seg.position)
        order.parties.setdefault(party.qualifier, party)
    elif tag == "RFF" and party is not None and line is None and seg.value(1, 1) == "VA":
        party.vat_id = seg.value(1, 2)
    elif tag == "CUX" and seg.value(1, 1) == "2":
        order.currency = seg.value(1, 2)
    elif tag == "LIN":
        line = OrderLine(seg.position, seg.value(1), seg.value(3, 1), [], None, "", None)
        order.lines.append(line)
    elif line is not None:
        _line_segment(order, seg, line)
    return line, party if tag not in ("LIN", "UNS") else None


def _date(order: OrderData, seg: Segment, line: OrderLine | None) -> None:
    qualifier, value, fmt = seg.value(1, 1), seg.value(1, 2), seg.value(1, 3)
    if qualifier not in ("137", "2"):
        return
    parsed = edi_date(value, fmt)
    if parsed is None:
        order.problems.append((seg.position, "DTM", f"date {value!r} (format {fmt}) is invalid"))
    elif line is not None and qualifier == "2":
        line.delivery_date = parsed
    elif qualifier == "137" and line is None:
        order.order_date = parsed
    elif line is None:
        order.delivery_date = parsed


def _line_segment(order: OrderData, seg: Segment, line: OrderLine) -> None:
    if seg.tag == "PIA":
        for index in range(2, 7):
            code = seg.value(index, 1)
            if code:
                line.codes.append(code)
    elif seg.tag == "QTY" and seg.value(1, 1) == "21":
        line.quantity = number(seg.value(1, 2))
        line.unit = seg.value(1, 3)
        if line.quantity is None:
            order.problems.append((seg.position, "QTY", "ordered quantity is not a number"))
    elif seg.tag == "PRI" and seg.value(1, 1) in ("AAA", "AAB") and line.price is None:
        line.price = number(seg.value(1, 2))
