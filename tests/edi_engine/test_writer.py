"""Writer: counts, references, escaping, character sets, UNA, and write→parse round trips."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monopilot.edi.edifact import (
    EdifactEncodeError,
    Group,
    Interchange,
    Message,
    Segment,
    ServiceChars,
    WriterOptions,
    escape,
    parse,
    segment,
    validate,
    write_interchange,
)


def order(ref: str, lines: int = 1) -> Message:
    body = [segment("BGM", "220", f"PO{ref}", "9"), segment("DTM", ["137", "20240101", "102"])]
    for n in range(1, lines + 1):
        body += [segment("LIN", str(n), "", ["4000862141404", "EN"]), segment("QTY", ["21", "1"])]
    body += [segment("UNS", "S"), segment("CNT", ["2", str(lines)])]
    return Message(ref, "ORDERS", "D", "96A", "UN", "EAN008", body)


def envelope(**kwargs: object) -> Interchange:
    inter = Interchange(
        sender_id="5412345000013",
        sender_qualifier="14",
        recipient_id="4012345500004",
        recipient_qualifier="14",
        date="240101",
        time="1200",
        control_ref="42",
    )
    for key, value in kwargs.items():
        setattr(inter, key, value)
    return inter


def test_counts_and_references_are_computed() -> None:
    data = write_interchange(envelope(messages=[order("1", 3), order("2")]))
    text = data.decode()
    assert "UNT+12+1'" in text and "UNT+8+2'" in text and text.endswith("UNZ+2+42'")
    assert text.startswith("UNB+UNOC:3+5412345000013:14+4012345500004:14+240101:1200+42'")
    (parsed,) = parse(data)
    assert validate(parsed).problems == []


def test_group_counts() -> None:
    group = Group(
        ref="G1",
        function_id="ORDERS",
        app_sender=("A", "14"),
        app_recipient=("B", "14"),
        date="240101",
        time="1200",
        agency="UN",
        message_version=("D", "96A"),
        messages=[order("1"), order("2")],
    )
    text = write_interchange(envelope(groups=[group])).decode()
    assert "UNE+2+G1'" in text and text.endswith("UNZ+1+42'")
    assert validate(parse(text.encode())[0]).errors == []


def test_parsed_counts_are_not_trusted() -> None:
    message = order("1")
    message.segments = [
        Segment("UNH", [["1"], ["ORDERS"]]),
        *message.segments,
        Segment("UNT", [["999"], ["x"]]),
    ]
    assert "UNT+8+1'" in write_interchange(envelope(messages=[message])).decode()


def test_escaping_uses_release_character() -> None:
    assert escape("a+b:c'd?e", ServiceChars()) == "a?+b?:c?'d??e"
    assert escape("2*3", ServiceChars()) == "2*3"
    assert escape("2*3", ServiceChars.default(4)) == "2?*3"


def test_una_only_when_needed_and_deterministic_newlines() -> None:
    plain = write_interchange(envelope(messages=[order("1")]))
    assert not plain.startswith(b"UNA")
    comma = WriterOptions(service_chars=ServiceChars(decimal=","), newline=True)
    data = write_interchange(envelope(messages=[order("1")]), comma)
    assert data.startswith(b"UNA:+,? '\nUNB+") and data.count(b"'\n") == data.count(b"'")
    assert data == write_interchange(envelope(messages=[order("1")]), comma)
    assert parse(data)[0].service_chars.decimal == ","
    v4 = write_interchange(
        envelope(messages=[order("1")], date="20240101"), WriterOptions(syntax_version=4)
    )
    assert v4.startswith(b"UNB+UNOC:4+")


def test_charset_is_strict_on_output() -> None:
    message = order("1")
    message.segments.insert(1, segment("FTX", "ZZZ", "", "", "Zażółć"))
    with pytest.raises(EdifactEncodeError):
        write_interchange(envelope(messages=[message]), WriterOptions(syntax_id="UNOC"))
    latin2 = write_interchange(envelope(messages=[message]), WriterOptions(syntax_id="UNOD"))
    assert "Zażółć".encode("iso8859-2") in latin2
    assert parse(latin2)[0].messages[0].segments[2].value(4) == "Zażółć"
    with pytest.raises(EdifactEncodeError):
        write_interchange(envelope(messages=[message]), WriterOptions(syntax_id="UNOA"))


def test_missing_envelope_data_raises_own_error() -> None:
    with pytest.raises(EdifactEncodeError):
        write_interchange(envelope(control_ref=""))


# -- round trip ---------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
    max_size=12,
)
ELEMENT = st.lists(TEXT, min_size=1, max_size=4)
TAGS = st.sampled_from(["FTX", "RFF", "NAD", "IMD", "QTY"])
SEGMENTS = st.lists(
    st.builds(lambda tag, els: Segment(tag, els), TAGS, st.lists(ELEMENT, min_size=1, max_size=5)),
    min_size=1,
    max_size=6,
)
CHARS = st.sampled_from(
    [
        ServiceChars(),
        ServiceChars(decimal=","),
        ServiceChars(component="=", element="*", decimal=".", release="?", terminator="^"),
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segments=SEGMENTS, chars=CHARS, syntax_id=st.sampled_from(["UNOC", "UNOY"]))
def test_write_then_parse_is_identity(
    segments: list[Segment], chars: ServiceChars, syntax_id: str
) -> None:
    message = Message("M1", "ORDERS", "D", "96A", "UN", "EAN008", segments)
    data = write_interchange(
        envelope(messages=[message]), WriterOptions(syntax_id=syntax_id, service_chars=chars)
    )
    (parsed,) = parse(data)
    assert parsed.control_ref == "42" and parsed.trailer is not None
    got = parsed.messages[0].body
    assert len(got) == len(segments)
    assert all(a.same_content(b) for a, b in zip(got, segments, strict=True))
    assert [p for p in parsed.problems if p.is_error] == []


@settings(max_examples=50, deadline=None)
@given(values=st.lists(TEXT, min_size=2, max_size=3))
def test_syntax4_repetitions_round_trip(values: list[str]) -> None:
    seg = Segment("CUX", [[values[0]]], repetitions={1: [[v] for v in values]})
    message = Message("M1", "INVOIC", "D", "03B", "UN", "", [seg])
    data = write_interchange(
        envelope(messages=[message], date="20240101"), WriterOptions(syntax_version=4)
    )
    got = parse(data)[0].messages[0].body[0]
    assert got.repetitions[1] == [[v] for v in values]
