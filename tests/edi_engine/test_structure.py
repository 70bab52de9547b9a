"""Spec-driven structure validation: each kind of finding with its exact position."""

from __future__ import annotations

import json
from pathlib import Path

from monopilot.edi.edifact import (
    Interchange,
    Message,
    Problem,
    Segment,
    SpecRegistry,
    SyntaxErrorCode,
    load_spec,
    parse,
    segment,
    validate,
    write_interchange,
)
from monopilot.edi.edifact.spec import DEFAULT_SPEC_DIR

from .support import only

E = SyntaxErrorCode
BASE: list[Segment] = [
    segment("BGM", "220", "PO1", "9"),
    segment("DTM", ["137", "20240101", "102"]),
    segment("NAD", "BY", ["5412345000013", "", "9"]),
    segment("NAD", "SU", ["4012345500004", "", "9"]),
    segment("LIN", "1", "", ["4000862141404", "EN"]),
    segment("PIA", "1", ["ABC", "SA"]),
    segment("QTY", ["21", "48"]),
    segment("UNS", "S"),
    segment("CNT", ["2", "1"]),
]


def roundtrip(body: list[Segment], message_type: str = "ORDERS") -> Interchange:
    """Write the body as a real interchange and parse it back (positions as received)."""
    message = Message("1", message_type, "D", "96A", "UN", "EAN008", body)
    inter = Interchange(
        sender_id="S",
        recipient_id="R",
        date="240101",
        time="1200",
        control_ref="9",
        messages=[message],
    )
    (parsed,) = parse(write_interchange(inter))
    return parsed


def errors(body: list[Segment]) -> list[Problem]:
    return validate(roundtrip(body)).errors


def test_valid_order_has_no_findings() -> None:
    assert validate(roundtrip(BASE)).problems == []


def test_missing_mandatory_segment() -> None:
    body = [s for s in BASE if s.tag != "DTM"]
    problem = only(errors(body))
    assert (problem.code, problem.segment_tag, problem.segment_position) == (E.MISSING, "DTM", 3)
    assert problem.line == 1 and (problem.offset or 0) > 0


def test_wrong_order_inside_line_group() -> None:
    body = [*BASE[:5], BASE[6], BASE[5], *BASE[7:]]  # QTY before PIA
    problem = only(errors(body))
    assert (problem.code, problem.segment_tag, problem.segment_position) == (
        E.NOT_SUPPORTED_IN_POSITION,
        "PIA",
        8,
    )


def test_too_many_repeats() -> None:
    body = [BASE[0], BASE[0], *BASE[1:]]
    problem = only(errors(body))
    assert (problem.code, problem.segment_tag, problem.segment_position) == (
        E.TOO_MANY_REPETITIONS,
        "BGM",
        3,
    )


def test_too_many_group_repeats() -> None:
    pats = [segment("PAT", "1")] * 11
    body = [*BASE[:4], *pats, *BASE[4:]]
    problem = only(errors(body))
    assert (problem.code, problem.segment_tag, problem.segment_position) == (
        E.TOO_MANY_GROUP_REPETITIONS,
        "PAT",
        16,
    )


def test_element_too_long() -> None:
    body = [segment("BGM", "220", "X" * 36, "9"), *BASE[1:]]
    problem = only(errors(body))
    assert (
        problem.code,
        problem.segment_position,
        problem.element_index,
        problem.component_index,
    ) == (E.DATA_ELEMENT_TOO_LONG, 2, 2, None)


def test_bad_qualifier_is_invalid_value() -> None:
    body = [segment("BGM", "999", "PO1", "9"), *BASE[1:]]
    problem = only(errors(body))
    assert (
        problem.code,
        problem.segment_tag,
        problem.segment_position,
        problem.element_index,
        problem.component_index,
    ) == (E.INVALID_VALUE, "BGM", 2, 1, 1)


def test_numeric_element_with_letters() -> None:
    body = [*BASE[:6], segment("QTY", ["21", "4x"]), *BASE[7:]]
    problem = only(errors(body))
    assert (
        problem.code,
        problem.segment_position,
        problem.element_index,
        problem.component_index,
    ) == (E.INVALID_TYPE_OF_CHARACTERS, 8, 1, 2)


def test_too_many_elements_and_unknown_segment() -> None:
    body = [
        *BASE[:2],
        segment("XYZ", "1"),
        segment("DTM", ["2", "20240102", "102"], "extra"),
        *BASE[2:],
    ]
    found = {
        (int(p.code), p.segment_tag, p.segment_position, p.element_index) for p in errors(body)
    }
    assert found == {(15, "XYZ", 4, None), (16, "DTM", 5, 2)}


def test_mandatory_component_missing() -> None:
    body = [*BASE[:6], segment("QTY", ["21"]), *BASE[7:]]
    problem = only(errors(body))
    assert (problem.code, problem.element_index, problem.component_index) == (E.MISSING, 1, 2)


def test_builtin_specs_cover_the_issue() -> None:
    for message_type in ("ORDERS", "ORDRSP", "DESADV", "INVOIC", "RECADV"):
        for version in ("D96A", "D01B", "D.96A", "D:01B"):
            assert load_spec(message_type, version).message_type == message_type
    for version in ("2:2", "D:3", "4:1", "D96A"):
        assert load_spec("CONTRL", version).message_type == "CONTRL"


def test_new_message_type_is_a_new_spec_file(tmp_path: Path) -> None:
    for name in ("segments_service.json", "segments_d96a.json"):
        (tmp_path / name).write_text((DEFAULT_SPEC_DIR / name).read_text())
    spec = {
        "message": "PRICAT",
        "versions": ["D:96A"],
        "directories": ["d96a"],
        "structure": [
            "UNH M 1",
            {"seg": "BGM", "st": "M", "rep": 1, "codes": {"1.1": ["9"]}},
            {"group": "SG1", "st": "M", "rep": 2, "items": ["LIN M 1", "QTY C 1"]},
            "UNT M 1",
        ],
    }
    (tmp_path / "pricat.json").write_text(json.dumps(spec))
    registry = SpecRegistry.from_directory(tmp_path)
    body = [segment("BGM", "9"), segment("LIN", "1"), segment("LIN", "2"), segment("LIN", "3")]
    inter = roundtrip(body, "PRICAT")
    problem = only(validate(inter, registry).errors)
    assert (problem.code, problem.segment_position) == (E.TOO_MANY_GROUP_REPETITIONS, 5)
