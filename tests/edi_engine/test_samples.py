"""Every shared sample parses and the facts in tests/fixtures/edi/README.md hold."""

from __future__ import annotations

import pytest

from monopilot.edi.edifact import (
    ContrlStatus,
    Severity,
    SyntaxErrorCode,
    parse,
    read_contrl,
    validate,
)

from .support import FIXTURES, error_codes, only, parse_fixture, read_fixture

E = SyntaxErrorCode
ALL = sorted(p.name for p in FIXTURES.glob("*.edi"))

# Samples the README documents as broken, with the (code, tag) errors we must report.
# Every other sample must validate without errors (warnings are fine).
EXPECTED_ERRORS: dict[str, set[tuple[int, str | None]]] = {
    "contrl_2-2_ean002_gs1_eancom97_example_noenvelope.edi": {(13, "UNB")},
    "contrl_4-1_edifabric_2msgs.edi": {(13, "UNB")},
    "desadv_d96a_ean005_bots_sscc_batch_3msgs.edi": {(13, "BGM")},
    "desadv_d96a_ean007_edifabric_sscc.edi": {(29, "UNZ")},
    "invoic_d01b_ean011_edifabric.edi": {(29, "UNZ")},
    "invoic_d96a_edifabric_ung_group.edi": {(29, "UNZ")},
    "orders_d01b_ean010_php-edifact_foodservice_unreleased_colon.edi": {(16, "IMD"), (39, "IMD")},
    "orders_d96a_ean008_pydifact_comma_decimal_no_unz.edi": {(13, "UNZ")},
}
LOREM = "ordrsp_d01b_ean008_berryworks_unoc_lorem.edi"  # filler text in coded elements


def test_all_twenty_samples_are_present() -> None:
    assert len(ALL) == 20


@pytest.mark.parametrize("name", ALL)
def test_sample_parses_and_validates_as_documented(name: str) -> None:
    interchanges = parse(read_fixture(name))
    assert interchanges
    if name == LOREM:
        assert {int(p.code) for p in validate(interchanges[0]).errors} <= {12, 13, 15, 16, 39}
        return
    found = set().union(*(error_codes(i) for i in interchanges))
    assert found == EXPECTED_ERRORS.get(name, set())


def test_bots_multi_has_24_interchanges_of_one_test_message_each() -> None:
    interchanges = parse_fixture("orders_d96a_ean008_bots_multi.edi")
    assert len(interchanges) == 24
    assert all(len(i.messages) == 1 and i.is_test for i in interchanges)
    assert {i.messages[0].association for i in interchanges} == {"EAN008"}


def test_header_rich_syntax_version_2_four_messages() -> None:
    (inter,) = parse_fixture("orders_d96a_ean008_bots_header_rich.edi")
    assert (inter.syntax_id, inter.syntax_version, inter.control_ref) == ("UNOA", 2, "UNBREF")
    assert [m.ref for m in inter.messages] == ["UNHREF", "1-1UNHREF", "1-2UNHREF", "2-1UNHREF"]
    assert inter.messages[0].segments[1].elements == [["50E"], ["BGMREF"], ["46"], ["AB"]]


def test_foodservice_una_release_and_replacement_characters() -> None:
    (inter,) = parse_fixture("orders_d01b_ean010_php-edifact_foodservice.edi")
    assert inter.una and inter.syntax_id == "UNOC"
    message = inter.messages[0]
    assert len(message.segments) == 599
    nad = message.segments[5]
    assert nad.value(4) == "A+A K\ufffdlte GmbH"
    fffd = [p for p in inter.problems if "U+FFFD" in p.message]
    assert fffd and all(
        p.severity is Severity.WARNING and p.code == E.INVALID_CHARACTERS for p in fffd
    )
    first = fffd[0]
    assert (first.segment_position, first.segment_tag, first.element_index, first.line) == (
        6,
        "NAD",
        4,
        8,
    )
    assert any(s.value(1, 2) == "1:10" for s in message.segments if s.tag == "IMD") is False
    assert any("1:10" in s.value(3, 5) for s in message.segments if s.tag == "IMD")


def test_unreleased_colon_reports_too_many_components_exactly() -> None:
    (inter,) = parse_fixture("orders_d01b_ean010_php-edifact_foodservice_unreleased_colon.edi")
    report = validate(inter)
    problem = only([p for p in report.errors if p.code == E.TOO_MANY_CONSTITUENTS])
    assert (problem.message_ref, problem.segment_position, problem.segment_tag) == (
        "2019265563",
        359,
        "IMD",
    )
    assert (problem.element_index, problem.component_index, problem.line) == (3, 7, 361)
    assert problem.offset == read_fixture(
        "orders_d01b_ean010_php-edifact_foodservice_unreleased_colon.edi"
    ).index(b"IMD+F++:::H\xef\xbf\xbdhnersuppe Konzentrat ohne:Einlage f Sup 1:10")
    released = [p for p in report.warnings if p.code == E.INVALID_SERVICE_CHARACTER]
    assert len(released) == 4  # "?*?*Marke?*?*": * is no service character in syntax 3


def test_bom_syntax_1_and_application_reference() -> None:
    (inter,) = parse_fixture("orders_d96a_edifabric_2msgs_bom.edi")
    assert inter.bom and inter.syntax_version == 1 and inter.application_ref == "ORDERS"
    assert len(inter.messages) == 2 and inter.is_test and inter.ack_request == "1"
    cux = next(s for s in inter.messages[0].segments if s.tag == "CUX")
    assert cux.elements == [["2", "GBP", "9"], ["3", "EUR", "4"], ["1.67"]]


def test_comma_decimal_and_missing_unz() -> None:
    (inter,) = parse_fixture("orders_d96a_ean008_pydifact_comma_decimal_no_unz.edi")
    assert inter.una and inter.service_chars.decimal == ","
    assert inter.syntax_version == 4 and inter.trailer is None
    problem = only([p for p in validate(inter).errors])
    assert (problem.code, problem.segment_tag) == (E.MISSING, "UNZ")
    warning = only([p for p in validate(inter).warnings])
    assert (warning.code, warning.element_index) == (E.DATA_ELEMENT_TOO_SHORT, 4)


def test_unz_count_mismatch_in_edifabric_desadv() -> None:
    (inter,) = parse_fixture("desadv_d96a_ean007_edifabric_sscc.edi")
    assert inter.bom and inter.application_ref == "INVOIC" and len(inter.messages) == 1
    problem = only(validate(inter).errors)
    assert problem.code == E.CONTROL_COUNT_DOES_NOT_MATCH
    assert int(problem.code) == 29
    assert (problem.segment_tag, problem.element_index, problem.line) == ("UNZ", 1, 42)
    gins = [s.value(2) for s in inter.messages[0].segments if s.tag == "GIN"]
    assert gins == ["354107380000001051", "354107380000001068"]


def test_bots_desadv_empty_bgm_and_lowercase_qualifiers() -> None:
    (inter,) = parse_fixture("desadv_d96a_ean005_bots_sscc_batch_3msgs.edi")
    assert inter.una and [m.ref for m in inter.messages] == ["7", "8", "10"]
    report = validate(inter)
    bgm = [
        (p.message_ref, p.segment_position, p.element_index)
        for p in report.errors
        if p.segment_tag == "BGM"
    ]
    assert bgm == [("7", 2, 1), ("10", 2, 1)]
    # NAD 3035 is an advisory list (UN 3035 is huge): unknown qualifiers are warnings.
    nad = [p for p in report.warnings if p.segment_tag == "NAD"]
    assert [(p.code, p.segment_position, p.message_ref) for p in nad] == [
        (12, 26, "8"),
        (12, 27, "8"),
    ]


def test_dutchic_huge_quantities_survive_as_text() -> None:
    (inter,) = parse_fixture("desadv_d96a_ean005_bots_dutchic_multi.edi")
    assert len(inter.messages) == 8
    qty = [s.value(1, 2) for s in inter.messages[0].segments if s.tag == "QTY"]
    assert qty[-1] == "121212121212.121"


def test_non_eancom_desadv_is_accepted_but_flagged() -> None:
    (inter,) = parse_fixture("desadv_d96a_php-edifact_non_eancom.edi")
    assert inter.messages[0].version == "0"
    warning = only(validate(inter).warnings)
    assert "no specification" in warning.message


def test_ung_group_counts() -> None:
    (inter,) = parse_fixture("invoic_d96a_edifabric_ung_group.edi")
    (group,) = inter.groups
    assert group.ref == "5" and len(group.messages) == 1 and not inter.messages
    assert group.messages[0].group_ref == "5"
    assert only(validate(inter).errors).segment_tag == "UNZ"


def test_syntax_4_repetition_and_release() -> None:
    (inter,) = parse_fixture("invoic_d03b_smooks_syntax4_repetition.edi")
    assert inter.syntax_version == 4 and inter.service_chars.repetition == "*"
    segments = inter.messages[0].segments
    cux = next(s for s in segments if s.tag == "CUX")
    assert cux.repetitions == {1: [["3"], ["1"]]}
    imd = next(s for s in segments if s.tag == "IMD")
    assert "Tolkien's original" in imd.value(3, 5)


def test_latin1_bytes_decoded_for_unoc() -> None:
    (inter,) = parse_fixture("ordrsp_d01b_ean008_berryworks_unoc_lorem.edi")
    text = "".join(c for s in inter.messages[0].segments for e in s.elements for c in e)
    assert {"ö", "é"} <= set(text)
    assert len(inter.messages[0].segments) == 253
    assert not [p for p in inter.problems if p.code == E.INVALID_CHARACTERS]


def test_utf8_in_unoa_is_decoded_and_reported() -> None:
    (inter,) = parse_fixture("recadv_d01b_ean007_smooks_release_utf8.edi")
    segments = inter.messages[0].segments
    assert segments[8].value(4) == "报文测试天津有限公司"
    assert segments[11].value(4) == "CSP test d'This is also a test section"
    utf8 = [p for p in inter.problems if "decoded as UTF-8" in p.message]
    assert {(p.segment_position, p.element_index) for p in utf8} == {(9, 4), (9, 5), (9, 6)}


def test_ordrsp_line_action_codes() -> None:
    (inter,) = parse_fixture("ordrsp_d96a_ean009_edifabric.edi")
    lines = [s.value(2) for s in inter.messages[0].segments if s.tag == "LIN"]
    assert lines == ["5", "3", "7"]


def test_contrl_samples_read_as_receipts() -> None:
    (bare,) = parse_fixture("contrl_2-2_ean002_gs1_eancom97_example_noenvelope.edi")
    assert bare.header is None
    (result,) = read_contrl(bare)
    assert (result.interchange_ref, result.status, result.sender) == (
        "10001",
        ContrlStatus.RECEIVED,
        "5412345000013",
    )
    (v4,) = parse_fixture("contrl_4-1_edifabric_2msgs.edi")
    assert v4.bom and v4.syntax_id == "UNOB" and v4.syntax_version == 0
    missing = only(validate(v4).errors)
    assert (missing.segment_tag, missing.element_index, missing.component_index) == ("UNB", 1, 2)
    results = read_contrl(v4)
    assert [(r.interchange_ref, r.status) for r in results] == [("131", ContrlStatus.RECEIVED)] * 2
