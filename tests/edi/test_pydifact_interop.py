"""What we send reads the same in pydifact (pinned 0.2.3), an independent EDIFACT parser,
and every GLN/GTIN/SSCC in it carries a valid GS1 check digit.

Every message comes from the real flows (events subscriber, inbox CONTRL), for both
directories a partner can have. CONTRL has one version only (CONTRL:2:2:UN:EAN002, syntax
level, not directory bound), so it is checked once, accepted and rejecting.

pydifact takes text, not bytes: the interchange is decoded with the codec of its UNB
syntax id (UNOC = ISO 8859-1) before it is handed over, which is what a pydifact user
must do too. With that, UNOC letters (ó) and released service characters (?+ ?: ?' ??)
come out identical; nothing we emit needed an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from pydifact.segmentcollection import Interchange as PydifactInterchange

from erp.factories import Base, build_base, make_so, shipped_shipment
from monopilot.core.gs1 import validate_gln, validate_gtin, validate_sscc
from monopilot.edi.edifact import Interchange, parse, validate
from monopilot.edi.models import EdiMessage
from monopilot.edi.partners import partner_create
from monopilot.edi.services import receive
from monopilot.erp.services.invoicing import invoice_create_from_shipment, invoice_finalize
from monopilot.erp.services.sales import so_cancel

from .support import OUR_GLN, interchange, orders_message

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::pydifact.exceptions.MissingImplementationWarning"),
]

CODECS = {"UNOA": "ascii", "UNOB": "ascii", "UNOC": "latin-1"}
# Released service characters and a UNOC letter, in a text we really send (FTX+AAO).
REASON = "Brak: 50% + dostawa 'jutro'? Zamówienie anulowane"

Element = list[str]


def trim(elements: list[Element]) -> list[Element]:
    """`A+B::'` and `A+B'` carry the same data: drop trailing empty components/elements."""
    out = []
    for element in elements:
        comps = list(element)
        while comps and comps[-1] == "":
            comps.pop()
        out.append(comps)
    while out and out[-1] == []:
        out.pop()
    return out


def ours(raw: bytes) -> tuple[Interchange, list[tuple[str, list[Element]]]]:
    (inter,) = parse(raw)
    assert validate(inter).problems == []  # not even a warning
    segments = [(s.tag, trim(s.elements)) for m in inter.all_messages() for s in m.segments]
    return inter, segments


def theirs(raw: bytes, codec: str) -> tuple[PydifactInterchange, list[tuple[str, list[Element]]]]:
    inter = PydifactInterchange.from_str(raw.decode(codec))
    as_lists = [
        (s.tag, trim([[e] if isinstance(e, str) else list(e) for e in s.elements]))
        for s in inter.segments
    ]
    return inter, as_lists


def assert_same_reading(raw: bytes) -> None:
    mine, my_segments = ours(raw)
    other, their_segments = theirs(raw, CODECS[mine.syntax_id])
    assert their_segments == my_segments
    assert [m.reference_number for m in other.get_messages()] == [
        m.ref for m in mine.all_messages()
    ]
    assert other.syntax_identifier == (mine.syntax_id, mine.syntax_version)
    assert trim([list(other.sender)]) == [[mine.sender_id, mine.sender_qualifier]]
    assert trim([list(other.recipient)]) == [[mine.recipient_id, mine.recipient_qualifier]]
    assert other.control_reference == mine.control_ref
    extra = [[e] if isinstance(e, str) else list(e) for e in other.extra_header_elements]
    assert mine.header is not None and trim(extra) == trim(mine.header.elements[5:])


# -- GS1 identifiers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    kind: str  # GLN, GTIN or SSCC
    value: str
    where: str


def _envelope_parties(inter: Interchange) -> Iterator[Found]:
    for name, ident, qualifier in (
        ("UNB S002", inter.sender_id, inter.sender_qualifier),
        ("UNB S003", inter.recipient_id, inter.recipient_qualifier),
    ):
        if qualifier == "14":
            yield Found("GLN", ident, name)


def _classified(tag: str, elements: list[Element]) -> Iterator[tuple[str, str, str]]:
    """(kind, value, where) for the places GS1 keys live in EANCOM."""

    def value(element: int, component: int) -> str:
        comps = elements[element - 1] if len(elements) >= element else []
        return comps[component - 1] if len(comps) >= component else ""

    if tag == "NAD" and value(2, 3) == "9":
        yield "GLN", value(2, 1), f"NAD+{value(1, 1)} C082"
    elif tag == "LIN" and value(3, 2) in ("EN", "SRV"):
        yield "GTIN", value(3, 1), "LIN C212"
    elif tag == "GIN" and value(1, 1) == "BJ":
        yield "SSCC", value(2, 1), "GIN+BJ"
    elif tag == "UCI":
        for n in (2, 3):
            if value(n, 2) == "14":
                yield "GLN", value(n, 1), f"UCI S00{n}"


def gs1_keys(raw: bytes) -> list[Found]:
    """Every GLN/GTIN/SSCC of an interchange. Any other 13/14/18 digit value fails the
    test: an identifier in a place this function does not know would go unchecked."""
    inter, segments = ours(raw)
    found = list(_envelope_parties(inter))
    for position, (tag, elements) in enumerate(segments, start=1):
        known = {(kind, value) for kind, value, _ in _classified(tag, elements)}
        found += [Found(k, v, f"{tag} #{position}") for k, v in sorted(known)]
        loose = {
            c
            for e in elements
            for c in e
            if c.isdigit() and len(c) in (13, 14, 18) and c not in {v for _, v in known}
        }
        assert not loose, f"unclassified GS1-like value(s) {loose} in {tag} #{position}"
    return found


VALIDATORS: dict[str, Callable[[str], str]] = {
    "GLN": validate_gln,
    "GTIN": validate_gtin,
    "SSCC": validate_sscc,
}


def assert_gs1_valid(raw: bytes, expect: dict[str, int]) -> None:
    keys = gs1_keys(raw)
    for key in keys:
        VALIDATORS[key.kind](key.value)  # raises with the digit expected
    counts = {kind: sum(k.kind == kind for k in keys) for kind in expect}
    assert counts == expect, keys


# -- the documents, through the real flows ------------------------------------------------------


def build(org: Any, directory: str, *, test_mode: bool = False) -> tuple[Base, dict[str, bytes]]:
    base = build_base(org)
    partner_create(
        org=org,
        name="Sklep EDI",
        gln=base.customer.gln,
        our_gln=OUR_GLN,
        customer=base.customer,
        directory=directory,
        test_indicator=test_mode,
    )
    shipment = shipped_shipment(base)  # confirms an order first: ORDRSP 29
    invoice_finalize(invoice=invoice_create_from_shipment(shipment=shipment))
    cancelled = so_cancel(sales_order=make_so(base), reason=REASON)

    def one(message_type: str, **lookup: Any) -> bytes:
        return bytes(EdiMessage.objects.get(message_type=message_type, **lookup).raw)

    return base, {
        "ORDRSP accepted": one("ORDRSP", document_number=f"{shipment.sales_order.order_number}:29"),
        "ORDRSP rejected": one("ORDRSP", document_number=f"{cancelled.order_number}:27"),
        "DESADV": one("DESADV"),
        "INVOIC": one("INVOIC"),
    }


EXPECTED = {
    # UNB sender + recipient, NAD BY/SU(/DP); LIN GTINs; GIN+BJ SSCCs
    "ORDRSP accepted": {"GLN": 5, "GTIN": 1, "SSCC": 0},
    "ORDRSP rejected": {"GLN": 5, "GTIN": 1, "SSCC": 0},
    "DESADV": {"GLN": 5, "GTIN": 1, "SSCC": 1},
    "INVOIC": {"GLN": 4, "GTIN": 1, "SSCC": 0},
}


@pytest.mark.parametrize("directory", ["D96A", "D01B"])
def test_documents_read_the_same_in_pydifact_with_valid_gs1_keys(org, directory):
    _, documents = build(org, directory)
    release = directory[1:]
    for name, raw in documents.items():
        assert f":D:{release}:UN:".encode() in raw, name
        assert_same_reading(raw)
        assert_gs1_valid(raw, EXPECTED[name])
    rejected = documents["ORDRSP rejected"]
    # the text went out released and in ISO 8859-1, and pydifact gives it back unchanged
    assert b"FTX+AAO+++Brak?: 50% ?+ dostawa ?'jutro?'?? Zam\xf3wienie anulowane'" in rejected
    ftx = next(s for s in theirs(rejected, "latin-1")[0].segments if s.tag == "FTX")
    assert ftx.elements[-1] == REASON


def test_test_mode_header_reads_the_same(org):
    _, documents = build(org, "D96A", test_mode=True)
    raw = documents["INVOIC"]
    assert raw.split(b"'")[0].endswith(b"+1")  # UNB 0035 test indicator
    assert_same_reading(raw)


def test_contrl_accepted_and_rejecting_read_the_same(org):
    base = build_base(org)
    partner_create(
        org=org, name="Sklep EDI", gln=base.customer.gln, our_gln=OUR_GLN, customer=base.customer
    )
    gln = base.customer.gln
    good = orders_message("PO-1", [(base.product.gtin, "2", "7.20")], buyer=gln, dp="")
    (order, accepted) = receive(org=org, data=interchange(good, sender=gln, ref="501"))
    assert order.status == "processed" and accepted.message_type == "CONTRL"
    bad = interchange(good, sender=gln, ref="502").replace(b"QTY+21:2'", b"QTY+21:2:X:Y:Z'")
    (refused, rejecting) = receive(org=org, data=bad)
    assert refused.status == "error" and rejecting.message_type == "CONTRL"
    for row, verdict in ((accepted, b"+7'"), (rejecting, b"+4'")):
        raw = bytes(row.raw)
        assert b"UNH+1+CONTRL:2:2:UN:EAN002'" in raw and verdict in raw.split(b"UCI+")[1]
        assert_same_reading(raw)
        # UNB both ways and UCI sender/recipient as received
        assert_gs1_valid(raw, {"GLN": 4, "GTIN": 0, "SSCC": 0})
    assert b"UCS+" in bytes(rejecting.raw) and b"UCD+" in bytes(rejecting.raw)


def test_the_gs1_check_catches_a_wrong_digit_and_an_unknown_place(org):
    _, documents = build(org, "D96A")
    raw = documents["DESADV"]
    (inter,) = parse(raw)
    sscc = next(s for m in inter.all_messages() for s in m.segments if s.tag == "GIN").value(2)
    broken = raw.replace(sscc.encode(), (sscc[:-1] + str((int(sscc[-1]) + 1) % 10)).encode())
    with pytest.raises(ValidationError, match=r"SSCC \d{18} has a wrong check digit"):
        assert_gs1_valid(broken, EXPECTED["DESADV"])
    hidden = raw.replace(b"RFF+CN:TRK1'", b"RFF+CN:5901234123457'")
    with pytest.raises(AssertionError, match="unclassified GS1-like value"):
        assert_gs1_valid(hidden, EXPECTED["DESADV"])
