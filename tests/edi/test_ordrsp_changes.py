"""The pure side of ORDRSP 1225 4: matching the buyer's ORDERS lines with ours (`compare`)
and writing every LIN action. No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from monopilot.edi.eancom.orders import OrderLine
from monopilot.edi.eancom.ordrsp import (
    ACCEPTED,
    CHANGED,
    ConfirmedLine,
    OrderResponse,
    ResponseLine,
    build_ordrsp,
    compare,
    response_function,
)
from monopilot.edi.edifact import Interchange, WriterOptions, parse, validate, write_interchange

from .support import BUYER_GLN, GTINS, OUR_GLN

D = Decimal


def ordered(number: str, gtin: str, qty: str, price: str | None, *codes: str) -> OrderLine:
    return OrderLine(0, number, gtin, list(codes), D(qty), "", D(price) if price else None)


def ours(number: int, gtin: str, code: str, qty: str, price: str) -> ConfirmedLine:
    return ConfirmedLine(number, gtin, code, D(qty), D(price))


def answers(lines: list[ResponseLine]) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (
            str(ln.line_number),
            ln.action,
            ln.gtin or ln.code,
            str(ln.ordered),
            str(ln.confirmed),
            str(ln.price),
        )
        for ln in lines
    ]


def test_buyer_line_numbers_are_echoed_and_added_lines_follow_the_highest():
    result = compare(
        [ordered("10", GTINS[0], "5", "1.00"), ordered("20", GTINS[1], "2", "2.00")],
        # our line 3 is no line number of the order: nothing to fall back on
        [ours(1, GTINS[0], "FG-1", "5", "1.00"), ours(3, GTINS[2], "FG-3", "1", "9.00")],
    )
    assert answers(result) == [
        ("10", "5", GTINS[0], "5", "5", "1.00"),
        ("20", "7", GTINS[1], "2", "None", "2.00"),
        ("21", "1", GTINS[2], "None", "1", "9.00"),
    ]
    assert response_function(result) == CHANGED


def test_product_by_gtin_form_or_case_insensitive_code():
    result = compare(
        [
            ordered("1", "0" + GTINS[0], "1", None),  # GTIN-14 form of our GTIN-13
            ordered("2", "fg-2", "3", None),  # the LIN id is our product code
            ordered("3", "", "4", None, "X-9", "Fg-3"),  # PIA codes
        ],
        [
            ours(1, GTINS[0], "FG-1", "1", "2.50"),
            ours(2, "", "FG-2", "3", "2.50"),
            ours(3, "", "FG-3", "4", "2.50"),
        ],
    )
    # no price ordered: ours is no change, it is still sent
    assert [(ln.action, ln.price) for ln in result] == [("5", D("2.50"))] * 3
    assert response_function(result) == ACCEPTED


def test_product_match_wins_over_line_number_and_fallback_takes_only_free_lines():
    # the planner removed line 1: our lines were renumbered, so line numbers now point at
    # the wrong product; matching by product first keeps every answer right
    result = compare(
        [
            ordered("1", GTINS[0], "5", "1"),
            ordered("2", GTINS[1], "6", "1"),
            ordered("3", GTINS[2], "7", "1"),
        ],
        [ours(1, GTINS[1], "FG-2", "6", "1"), ours(2, GTINS[2], "FG-3", "7", "1")],
    )
    assert [(ln.line_number, ln.action, ln.gtin) for ln in result] == [
        ("1", "7", GTINS[0]),
        ("2", "5", GTINS[1]),
        ("3", "5", GTINS[2]),
    ]


def test_line_number_fallback_reports_another_product_as_changed():
    result = compare(
        [ordered("1", GTINS[0], "5", "1")],
        [ours(1, GTINS[1], "FG-2", "5", "1")],
    )
    assert [(ln.action, ln.gtin, ln.ordered, ln.confirmed) for ln in result] == [
        ("3", GTINS[1], D("5"), D("5"))
    ]


def test_same_product_twice_pairs_by_line_number_first():
    result = compare(
        [ordered("1", GTINS[0], "5", "1"), ordered("2", GTINS[0], "8", "1")],
        [ours(1, GTINS[0], "FG-1", "5", "1"), ours(2, GTINS[0], "FG-1", "7", "1")],
    )
    assert [(ln.action, ln.confirmed) for ln in result] == [("5", D("5")), ("3", D("7"))]


def test_not_accepted_line_without_gtin_echoes_the_buyer_code():
    (line,) = compare([ordered("1", "ABC-1", "2", None, "IN-7")], [])
    assert (line.action, line.gtin, line.code, line.price) == ("7", "", "ABC-1", None)


@pytest.mark.parametrize("directory", ["D96A", "D01B"])
def test_every_action_is_written_and_validates(directory):
    lines = compare(
        [
            ordered("1", GTINS[0], "5", "1.50"),
            ordered("2", "ABC-1", "2", None),
            ordered("3", "", "4", "2", "FG-3"),
        ],
        [
            ours(1, GTINS[0], "FG-1", "5", "1.50"),
            ours(3, "", "FG-3", "3", "2"),
            ours(4, "", "FG-9", "1", "0.10"),
        ],
    )
    resp = OrderResponse(
        "SO-1",
        response_function(lines),
        date(2026, 11, 26),
        "PO-1",
        date(2026, 11, 20),
        BUYER_GLN,
        OUR_GLN,
        lines=lines,
    )
    message = build_ordrsp(resp, ref="1", directory=directory)
    data = write_interchange(
        Interchange(
            sender_id=OUR_GLN,
            sender_qualifier="14",
            recipient_id=BUYER_GLN,
            recipient_qualifier="14",
            date="261126",
            time="0300",
            control_ref="5",
            messages=[message],
        ),
        WriterOptions(syntax_id="UNOC", syntax_version=3),
    )
    (inter,) = parse(data)
    assert validate(inter).problems == []
    (written,) = inter.all_messages()
    item = "SRV" if directory == "D01B" else "EN"
    assert [
        seg.tag + "+" + "+".join(":".join(e) for e in seg.elements)
        for seg in written.body
        if seg.tag in ("BGM", "LIN", "PIA", "QTY", "PRI", "CNT")
    ] == [
        "BGM+231+SO-1+4",
        f"LIN+1+5+{GTINS[0]}:{item}",
        "QTY+21:5",
        "QTY+12:5",
        "PRI+AAA:1.5",
        "LIN+2+7",
        "PIA+5+ABC-1:SA",
        "QTY+21:2",
        "LIN+3+3",
        "PIA+5+FG-3:SA",
        "QTY+21:4",
        "QTY+12:3",
        "PRI+AAA:2",
        "LIN+4+1",
        "PIA+5+FG-9:SA",
        "QTY+12:1",
        "PRI+AAA:0.1",
        "CNT+2:4",
    ]
