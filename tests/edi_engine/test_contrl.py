"""CONTRL: build → parse → read round trips, and reading the shared samples."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monopilot.edi.edifact import (
    CONTRL_SYNTAX4,
    ContrlStatus,
    Interchange,
    Message,
    WriterOptions,
    build_contrl,
    message_status,
    parse,
    read_contrl,
    segment,
    validate,
    write_interchange,
)

from .support import parse_fixture

WHEN = datetime(2024, 5, 6, 7, 8)


def acknowledge(inter: Interchange, **kwargs: Any) -> Interchange:
    report = validate(inter)
    data = build_contrl(
        inter,
        report,
        sender=(inter.recipient_id, inter.recipient_qualifier),
        recipient=(inter.sender_id, inter.sender_qualifier),
        control_ref="ACK1",
        prepared=WHEN,
        **kwargs,
    )
    (contrl,) = parse(data)
    assert validate(contrl).problems == []  # our CONTRL passes our own CONTRL spec
    return contrl


def test_clean_interchange_is_acknowledged() -> None:
    (inter,) = parse_fixture("invoic_d96a_ean008_bots_2msgs_una.edi")
    contrl = acknowledge(inter)
    assert contrl.sender_id == inter.recipient_id and contrl.date == "240506"
    uci = contrl.messages[0].segments[1]
    assert uci.elements == [["3"], ["5555555555555", "14"], ["1111111111111", "14"], ["7"]]
    results = read_contrl(contrl)
    assert [(r.message_ref, r.status) for r in results] == [
        (None, ContrlStatus.ACCEPTED),
        ("14", ContrlStatus.ACCEPTED),
        ("16", ContrlStatus.ACCEPTED),
    ]


def test_rejected_messages_carry_segment_and_element_positions() -> None:
    (inter,) = parse_fixture("desadv_d96a_ean005_bots_sscc_batch_3msgs.edi")
    contrl = acknowledge(inter)
    text = [
        s.tag + "+" + "+".join(":".join(e) for e in s.elements) for s in contrl.messages[0].body
    ]
    assert text[:4] == [
        "UCI+1+5555555555555:14+1111111111111:14+7",
        "UCM+7+DESADV:D:96A:UN:EAN005+4",
        "UCS+2",
        "UCD+13+1:1",
    ]
    results = {r.key: r for r in read_contrl(contrl)}
    assert results[("1", "8")].status is ContrlStatus.ACCEPTED
    rejected = results[("1", "10")]
    assert rejected.status is ContrlStatus.REJECTED
    assert [
        (e.code, e.segment_position, e.element_index, e.component_index) for e in rejected.errors
    ] == [("13", 2, 1, 1)]


def test_envelope_error_rejects_interchange_and_all_messages() -> None:
    (inter,) = parse_fixture("desadv_d96a_ean007_edifabric_sscc.edi")
    results = read_contrl(acknowledge(inter))
    head = results[0]
    assert (head.message_ref, head.status, head.error_code) == (None, ContrlStatus.REJECTED, "29")
    assert results[1].status is ContrlStatus.REJECTED
    assert message_status(results, "131", "ME000001") is ContrlStatus.REJECTED


def test_groups_use_ucf() -> None:
    (inter,) = parse_fixture("invoic_d96a_edifabric_ung_group.edi")
    contrl = acknowledge(inter)
    assert [s.tag for s in contrl.messages[0].body] == ["UCI", "UCF", "UCM"]
    assert read_contrl(contrl)[1].group_ref == "5"


def test_receipt_only_and_syntax_4_contrl() -> None:
    (inter,) = parse_fixture("orders_d96a_ean008_bots_header_rich.edi")
    contrl = acknowledge(inter, receipt_only=True)
    assert [s.tag for s in contrl.messages[0].body] == ["UCI"]
    assert message_status(read_contrl(contrl), "UNBREF", "UNHREF") is ContrlStatus.RECEIVED
    v4 = acknowledge(inter, version=CONTRL_SYNTAX4)
    assert v4.syntax_version == 4 and v4.messages[0].identifier == "CONTRL:4:1:UN"


def test_unlisted_message_follows_uci_and_unknown_interchange() -> None:
    (inter,) = parse_fixture("contrl_4-1_edifabric_2msgs.edi")
    results = read_contrl(inter)
    assert message_status(results, "131", "ANY") is ContrlStatus.RECEIVED
    assert message_status(results, "999", "ANY") is ContrlStatus.UNKNOWN


def test_bare_gs1_example_can_be_enveloped() -> None:
    (bare,) = parse_fixture("contrl_2-2_ean002_gs1_eancom97_example_noenvelope.edi")
    message = bare.messages[0]
    wrapped = Interchange(
        sender_id="5412345000020",
        sender_qualifier="14",
        recipient_id="5412345000013",
        recipient_qualifier="14",
        date="970101",
        time="1200",
        control_ref="77",
        messages=[message],
    )
    (inter,) = parse(write_interchange(wrapped, WriterOptions(syntax_id="UNOA")))
    assert validate(inter).problems == []
    (result,) = read_contrl(inter)
    assert result.key == ("10001", None) and result.status is ContrlStatus.RECEIVED


def test_read_contrl_survives_garbage() -> None:
    junk = Message("1", "CONTRL", "2", "2", "UN", "", [segment("UCM", "x"), segment("UCS", "y")])
    assert read_contrl(Interchange(messages=[junk])) == []
