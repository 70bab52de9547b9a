"""`monopilot edi parse | import | render`: output, exit codes, refusals.

The parse tests carry no django_db mark on purpose: pytest-django refuses any query, so a
parse that touched the database would fail here (and the subprocess test proves the same
for the installed `monopilot` script: its SQLite file is never created).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from erp.factories import build_base, make_so, shipped_shipment
from monopilot.edi.edifact import parse, validate
from monopilot.edi.models import EdiMessage, TradingPartner
from monopilot.edi.partners import partner_create
from monopilot.erp.models import Invoice, Shipment
from monopilot.erp.services.invoicing import invoice_create_from_shipment, invoice_finalize
from monopilot.erp.services.sales import so_cancel
from monopilot.erp.services.shipping import shipment_create

from .support import FIXTURES, GTINS, OUR_GLN, interchange, orders_message

MONOPILOT = Path(sys.executable).parent / "monopilot"


def run(*args: str) -> tuple[int, str, str]:
    """call_command with the exit status the shell would see (0 when nothing is raised)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("edi", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def broken_orders(tmp_path: Path) -> Path:
    """One ORDERS, a segment per line, with two known faults: QTY with five components
    (0085 16) and a UNT count off by one (0085 29)."""
    data = interchange(orders_message("PO-1", [(GTINS[0], "2", "1.5")]))
    data = data.replace(b"QTY+21:2'", b"QTY+21:2:X:Y:Z'").replace(b"UNT+14", b"UNT+15")
    path = tmp_path / "broken.edi"
    path.write_bytes(data.replace(b"'", b"'\n"))
    return path


# -- parse (engine only) -----------------------------------------------------------------------


def test_parse_valid_file_prints_structure_and_exits_0(tmp_path):
    path = tmp_path / "ok.edi"
    path.write_bytes(interchange(orders_message("PO-1", [(GTINS[0], "2", "1.5")])))
    code, out, _ = run("parse", str(path))
    assert code == 0
    assert (
        "interchange 1: UNOC:3 8799999000000:14 -> 8712345900007:14 ref 1001 (line 1, offset 0)"
        in out
    )
    assert "  message 1 ORDERS:D:96A:UN:EAN008: 14 segment(s)" in out
    assert out.strip().endswith("1 interchange(s), 0 error(s), 0 warning(s): valid")


def test_parse_reports_every_problem_with_its_place_and_exits_1(tmp_path):
    code, out, _ = run("parse", str(broken_orders(tmp_path)))
    assert code == 1
    assert (
        "error 16: C186 has 5 components, at most 3 allowed (unreleased separator in data?) "
        "(message 1, segment 10 QTY, element 1.4, line 11, offset 269)" in out
    )
    assert (
        "error 29: UNT 0074 says 15 but there are 14 segments (UNH..UNT) "
        "(message 1, segment 14 UNT, element 1, line 15, offset 314)" in out
    )
    assert out.strip().endswith("2 error(s), 0 warning(s): INVALID")


def test_parse_json_has_the_same_content(tmp_path):
    code, out, _ = run("parse", str(broken_orders(tmp_path)), "--json")
    assert code == 1
    doc = json.loads(out)
    assert (doc["edifact"], doc["valid"], doc["errors"], doc["warnings"]) == (True, False, 2, 0)
    (inter,) = doc["interchanges"]
    assert {k: inter[k] for k in ("syntax", "sender", "recipient", "control_ref", "test")} == {
        "syntax": "UNOC:3",
        "sender": "8799999000000:14",
        "recipient": "8712345900007:14",
        "control_ref": "1001",
        "test": False,
    }
    assert inter["messages"] == [
        {
            "ref": "1",
            "identifier": "ORDERS:D:96A:UN:EAN008",
            "segments": 14,
            "line": 2,
            "offset": 68,
        }
    ]
    qty = next(p for p in inter["problems"] if p["segment_tag"] == "QTY")
    assert qty == {
        "severity": "error",
        "code": 16,
        "message_ref": "1",
        "segment_position": 10,
        "segment_tag": "QTY",
        "element": 1,
        "component": 4,
        "line": 11,
        "offset": 269,
        "text": "C186 has 5 components, at most 3 allowed (unreleased separator in data?)",
    }


def test_parse_shows_groups_test_flag_and_warnings_without_failing_on_them():
    code, out, _ = run("parse", str(FIXTURES / "invoic_d96a_edifabric_ung_group.edi"))
    assert code == 1  # UNZ counts 2 but there is one group
    assert "interchange 1: UNOB:1 SENDER1:1 -> RECEIVER1:1 ref 131 TEST" in out
    assert "  group 5 INVOIC\n    message 509010117 INVOIC:D:96A:UN: 53 segment(s)" in out
    assert "warning 12: code 'SRS' not allowed in LIN 3.2" in out
    code, out, _ = run("parse", str(FIXTURES / "orders_d96a_ean008_bots_multi.edi"), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["valid"] and len(doc["interchanges"]) == 24
    assert all(i["test"] for i in doc["interchanges"])


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"hello world, this is not EDI\n", "no UNA/UNB found, not an EDIFACT file"),
        (b"", "no UNA/UNB found, not an EDIFACT file"),
        (None, "No such file or directory"),
    ],
)
def test_parse_not_edifact_exits_2(tmp_path, content, text):
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run("parse", str(path))
    assert (code, out) == (2, "") and text in err
    code, out, _ = run("parse", str(path), "--json")
    doc = json.loads(out)
    assert code == 2 and doc["edifact"] is False and text in doc["error"]


def test_parse_through_the_installed_script_without_a_database(tmp_path):
    """The real `monopilot` entry point: exit codes as a shell sees them, and no database
    (the embedded SQLite file in MONOPILOT_VAR_DIR would be created by any connection)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MONOPILOT_VAR_DIR"] = str(tmp_path / "var")
    good = tmp_path / "ok.edi"
    good.write_bytes(interchange(orders_message("PO-1", [(GTINS[0], "2", "1.5")])))
    not_edi = tmp_path / "note.txt"
    not_edi.write_text("just text")
    results = {
        name: subprocess.run(
            [str(MONOPILOT), "edi", "parse", str(path), "--json"],
            capture_output=True,
            env=env,
            timeout=120,
            check=False,
        )
        for name, path in (("good", good), ("bad", broken_orders(tmp_path)), ("text", not_edi))
    }
    assert {k: r.returncode for k, r in results.items()} == {"good": 0, "bad": 1, "text": 2}
    assert json.loads(results["bad"].stdout)["errors"] == 2
    assert not (tmp_path / "var" / "monopilot.sqlite3").exists()


# -- import / receive --------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_exits_1_when_a_message_ended_in_error(world):
    world.partner.test_indicator = True
    world.partner.save()
    sample = str(FIXTURES / "orders_d96a_ean008_bots_multi.edi")
    code, out, _ = run("import", sample, "--org", world.org.slug)
    assert code == 1
    assert "inbound ORDERS I1L0401010000T/I1L0401010000T processed" in out
    assert out.strip().endswith("with errors") and "48 message(s)" in out
    assert not out.strip().endswith(" 0 with errors")


@pytest.mark.django_db
def test_import_clean_file_exits_0_and_receive_keeps_exit_0(world, tmp_path):
    path = tmp_path / "orders.edi"
    path.write_bytes(interchange(orders_message("PO-9", [(GTINS[0], "2", "1.5")])))
    code, out, _ = run("import", str(path), "--org", world.org.slug)
    assert code == 0 and out.strip().endswith("2 message(s), 0 with errors")
    path.write_bytes(interchange(orders_message("PO-9", [(GTINS[0], "2", "1.5")]), ref="1002"))
    code, out, _ = run("receive", str(path), "--org", world.org.slug)
    assert code == 0 and "duplicate order" in out and "1 with errors" in out
    with pytest.raises(CommandError, match="organisation 'nope' not found"):
        run("import", str(path), "--org", "nope")


# -- render ------------------------------------------------------------------------------------


@pytest.fixture
def base(org):
    return build_base(org)


def link(base) -> TradingPartner:
    return partner_create(
        org=base.org,
        name="Sklep EDI",
        gln=base.customer.gln,
        our_gln=OUR_GLN,
        customer=base.customer,
    )


def finalized_invoice(base) -> Invoice:
    invoice = invoice_create_from_shipment(shipment=shipped_shipment(base))
    return invoice_finalize(invoice=invoice)


def counter(partner: TradingPartner) -> int:
    partner.refresh_from_db()
    return partner.control_counter


@pytest.mark.django_db
def test_render_returns_the_stored_message_byte_for_byte(base, tmp_path):
    partner = link(base)
    invoice = finalized_invoice(base)
    stored = EdiMessage.objects.get(message_type="INVOIC", document_id=invoice.id)
    before = counter(partner)
    code, out, err = run("render", "invoic", invoice.invoice_number, "--org", base.org.slug)
    assert code == 0 and out.encode("latin-1") == bytes(stored.raw)
    assert f"INVOIC {invoice.invoice_number}: message {stored.id}" in err
    assert "already stored" in err
    target = tmp_path / "out.edi"
    run("render", "invoic", invoice.invoice_number, "--org", base.org.slug, "--output", str(target))
    assert target.read_bytes() == bytes(stored.raw)
    assert counter(partner) == before
    assert EdiMessage.objects.filter(message_type="INVOIC").count() == 1


@pytest.mark.django_db
def test_render_generates_and_stores_when_nothing_was_sent(base):
    invoice = finalized_invoice(base)  # no partner yet: the subscriber sent nothing
    assert not EdiMessage.objects.exists()
    partner = link(base)
    code, out, err = run("render", "invoic", invoice.invoice_number, "--org", base.org.slug)
    row = EdiMessage.objects.get(message_type="INVOIC")
    assert (row.document_id, row.status, row.interchange_ref) == (invoice.id, "generated", "1")
    assert code == 0 and "generated and stored now" in err
    assert out.encode("latin-1") == bytes(row.raw)
    (inter,) = parse(bytes(row.raw))
    assert inter.control_ref == "1" and validate(inter).problems == []
    # a second render hands out the same stored bytes, the counter does not move
    code, out, err = run("render", "invoic", invoice.invoice_number, "--org", base.org.slug)
    assert out.encode("latin-1") == bytes(row.raw) and "already stored" in err
    assert counter(partner) == 1 and EdiMessage.objects.count() == 1


@pytest.mark.django_db
def test_render_desadv_and_its_refusals(base):
    partner = link(base)
    shipment = shipped_shipment(base)
    stored = EdiMessage.objects.get(message_type="DESADV")
    code, out, _ = run("render", "desadv", shipment.shipment_number, "--org", base.org.slug)
    assert code == 0 and out.encode("latin-1") == bytes(stored.raw)
    so = make_so(base, confirm=True)
    pending = shipment_create(sales_order=so, carrier="dpd")
    before = counter(partner)
    with pytest.raises(CommandError) as info:
        run("render", "desadv", pending.shipment_number, "--org", base.org.slug)
    assert str(info.value) == (
        f"shipment {pending.shipment_number} is pending; only shipped or delivered shipments "
        "have a DESADV"
    )
    Shipment.objects.filter(pk=pending.pk).update(status="shipped")  # shipped, no box
    with pytest.raises(CommandError) as info:
        run("render", "desadv", pending.shipment_number, "--org", base.org.slug)
    assert str(info.value) == (
        f"cannot render DESADV for {pending.shipment_number}: shipment "
        f"{pending.shipment_number} has no boxes (SSCC)"
    )
    assert counter(partner) == before  # a refusal consumes no interchange number


@pytest.mark.django_db
def test_render_ordrsp_confirmed_and_cancelled(base):
    so = make_so(base)
    with pytest.raises(CommandError, match=f"sales order {so.order_number} is draft; only"):
        run("render", "ordrsp", so.order_number, "--org", base.org.slug)
    so_cancel(sales_order=so, reason="Zamówienie anulowane")  # before the partner existed
    link(base)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command("edi", "render", "ordrsp", so.order_number, "--org", base.org.slug, stdout=out)
    row = EdiMessage.objects.get(message_type="ORDRSP")
    assert row.document_number == f"{so.order_number}:27"
    # a real stdout gets the partner's bytes unchanged (ó is one UNOC byte, not UTF-8)
    assert out.buffer.getvalue() == bytes(row.raw)  # type: ignore[attr-defined]
    assert b"FTX+AAO+++Zam\xf3wienie anulowane'" in bytes(row.raw)
    confirmed = make_so(base, confirm=True)
    code, text, _ = run("render", "ordrsp", confirmed.order_number, "--org", base.org.slug)
    assert code == 0 and f"BGM+231+{confirmed.order_number}+29'" in text


@pytest.mark.django_db
def test_render_refusals_name_the_document(base, other_org):
    invoice = finalized_invoice(base)
    number = invoice.invoice_number
    draft = numbered_draft(base)
    cases = [
        (("invoic", number, "--org", "nope"), "organisation 'nope' not found"),
        (
            ("invoic", "FV/9999/11/2026", "--org", base.org.slug),
            "invoice FV/9999/11/2026 not found",
        ),
        (("invoic", number, "--org", other_org.slug), f"invoice {number} not found"),
        (("desadv", "SH-404", "--org", base.org.slug), "shipment SH-404 not found"),
        (("ordrsp", "SO-404", "--org", base.org.slug), "sales order SO-404 not found"),
        (
            ("invoic", number, "--org", base.org.slug),
            f"invoice {number}: customer CUS-1 (Sklep) is not linked to an enabled EDI "
            "trading partner",
        ),
    ]
    for args, text in cases:
        with pytest.raises(CommandError) as info:
            run("render", *args)
        assert text in str(info.value), args
    partner = link(base)
    partner.edi_enabled = False
    partner.save()
    with pytest.raises(CommandError, match="is not linked to an enabled EDI trading partner"):
        run("render", "invoic", number, "--org", base.org.slug)
    partner.edi_enabled = True
    partner.save()
    with pytest.raises(CommandError) as info:
        run("render", "invoic", draft.invoice_number, "--org", base.org.slug)
    assert str(info.value) == (
        f"invoice {draft.invoice_number} is draft; only finalized invoices have an INVOIC"
    )
    assert not EdiMessage.objects.exists() and counter(partner) == 0


def numbered_draft(base) -> Invoice:
    """A draft carrying a number (imported data): numbers normally come with finalisation."""
    invoice = invoice_create_from_shipment(shipment=shipped_shipment(base))
    Invoice.objects.filter(pk=invoice.pk).update(invoice_number="FV/0777/11/2026")
    invoice.refresh_from_db()
    return invoice
