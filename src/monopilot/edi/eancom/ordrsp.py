"""ORDRSP (EANCOM 1997, D.96A EAN005 / 2002 D.01B EAN008) from a plain response structure.

Pure: no Django. BGM 231 with 1225 ``29`` accepted, ``4`` accepted with changes, ``27``
not accepted; LIN 1229 ``5`` accepted, ``3`` changed, ``7`` not accepted, ``1`` added
(eancom-notes 3). `compare` works out the line actions of a confirmation from what the
buyer ordered (the mapped ORDERS) and what we confirm (the sales order's lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from monopilot.edi.eancom.orders import OrderLine
from monopilot.edi.edifact import Message, Segment, segment

ACCEPTED, CHANGED, REJECTED = "29", "4", "27"
LINE_ADDED, LINE_CHANGED, LINE_ACCEPTED, LINE_REJECTED = "1", "3", "5", "7"
_LINE_ACTION = {ACCEPTED: LINE_ACCEPTED, CHANGED: LINE_CHANGED, REJECTED: LINE_REJECTED}
ASSOCIATION = {"D96A": "EAN005", "D01B": "EAN008"}


@dataclass
class ResponseLine:
    """One LIN. `ordered` None leaves out QTY+21, `confirmed` None QTY+12, `price` None
    PRI; `action` empty takes the line action of the BGM function (29 -> 5, 27 -> 7)."""

    line_number: int | str
    gtin: str
    code: str
    ordered: Decimal | None
    confirmed: Decimal | None
    price: Decimal | None
    action: str = ""


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


@dataclass
class ConfirmedLine:
    """A sales order line as we confirm it (plain values, no ORM)."""

    line_number: int
    gtin: str
    code: str
    quantity: Decimal
    price: Decimal


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
        body += _line(line, line.action or _LINE_ACTION[resp.function], item_type)
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
    if not line.gtin and line.code:
        out.append(segment("PIA", "5", [line.code, "SA"]))
    if line.ordered is not None and action != LINE_ADDED:
        out.append(segment("QTY", ["21", decimal_text(line.ordered)]))
    if line.confirmed is not None and action != LINE_REJECTED:
        out.append(segment("QTY", ["12", decimal_text(line.confirmed)]))
    if line.price is not None:
        out.append(segment("PRI", ["AAA", decimal_text(line.price)]))
    return out


# -- what the buyer ordered vs what we confirm ---------------------------------------------


def compare(ordered: list[OrderLine], confirmed: list[ConfirmedLine]) -> list[ResponseLine]:
    """Line answers of a confirmation: the buyer's lines in their order (their LIN numbers),
    then the lines we added. Matching is by product, then by line number (see `_pair`)."""
    matches = _pair(ordered, confirmed)
    out = [_answer(n, line, matches.get(n)) for n, line in enumerate(ordered, start=1)]
    taken = {id(line) for line in matches.values()}
    number = _last_number(ordered)
    for line in confirmed:
        if id(line) not in taken:
            number += 1
            out.append(_ours(number, line, None, LINE_ADDED))
    return out


def response_function(lines: list[ResponseLine]) -> str:
    """29 when every line is accepted as ordered, else 4 (accepted with changes)."""
    return ACCEPTED if all(line.action == LINE_ACCEPTED for line in lines) else CHANGED


def _pair(ordered: list[OrderLine], confirmed: list[ConfirmedLine]) -> dict[int, ConfirmedLine]:
    """Ordinal of the ORDERS line -> our line. Product first for every line (GTIN, else
    product code, case-insensitive; our line with the same number wins among equals), so a
    line-number fallback never takes a line another ORDERS line matches by product. The
    fallback compares our line number with the ORDERS line's ordinal, which is the number
    the ORDERS flow gave the line when it created the order."""
    free = list(confirmed)
    matches: dict[int, ConfirmedLine] = {}
    for n, line in enumerate(ordered, start=1):
        same = [ours for ours in free if same_product(line, ours)]
        found = next((ours for ours in same if ours.line_number == n), same[0] if same else None)
        if found is not None:
            matches[n] = found
            free.remove(found)
    for n in range(1, len(ordered) + 1):
        found = next((ours for ours in free if ours.line_number == n), None)
        if n not in matches and found is not None:
            matches[n] = found
            free.remove(found)
    return matches


def same_product(line: OrderLine, ours: ConfirmedLine) -> bool:
    """The ORDERS flow's product lookup: GTIN in any 8/12/13/14 form, else the LIN id or a
    PIA code as product code (case-insensitive)."""
    if _gtin14(line.gtin) and _gtin14(line.gtin) == _gtin14(ours.gtin):
        return True
    codes = {code.strip().lower() for code in [line.gtin, *line.codes] if code.strip()}
    return bool(ours.code) and ours.code.lower() in codes


def _gtin14(value: str) -> str:
    digits = value.strip()
    return digits.zfill(14) if digits.isdigit() and len(digits) <= 14 else ""


def _answer(n: int, line: OrderLine, ours: ConfirmedLine | None) -> ResponseLine:
    number = line.line_number or str(n)
    if ours is None:  # ordered, not on our order: not accepted, echoed as the buyer sent it
        gtin = line.gtin if _gtin14(line.gtin) else ""
        code = "" if gtin else next((c for c in [line.gtin, *line.codes] if c), "")
        return ResponseLine(number, gtin, code, line.quantity, None, line.price, LINE_REJECTED)
    changed = (
        line.quantity != ours.quantity
        or (line.price is not None and line.price != ours.price)
        or not same_product(line, ours)  # matched by line number only: another product
    )
    return _ours(number, ours, line.quantity, LINE_CHANGED if changed else LINE_ACCEPTED)


def _ours(
    number: int | str, ours: ConfirmedLine, ordered: Decimal | None, action: str
) -> ResponseLine:
    return ResponseLine(number, ours.gtin, ours.code, ordered, ours.quantity, ours.price, action)


def _last_number(ordered: list[OrderLine]) -> int:
    """Added lines are numbered after the buyer's highest LIN number (or line count)."""
    numbers = [int(line.line_number) for line in ordered if line.line_number.isdigit()]
    return max([len(ordered), *numbers])
