"""EDI screens: messages list and filters, detail with positions, actions, upload,
trading partners, tenant isolation and roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from edi.support import BUYER_GLN, OUR_GLN, interchange, orders_message
from edi.support import make_world as make_edi_world
from monopilot.edi.models import EdiMessage, TradingPartner
from monopilot.edi.partners import partner_create
from monopilot.edi.services import receive
from monopilot.erp.models import Customer, Product, SalesOrder
from monopilot.integration_logs.models import IntegrationLog
from monopilot.tenancy.models import Organization

GTIN = "8712345004002"
UNKNOWN_GTIN = "4012345500004"


@dataclass
class World:
    org: Organization
    customer: Customer
    product: Product
    partner: TradingPartner


def make_world(org: Organization) -> World:
    """The EDI tests' world (a retail customer with its EDI partner), one product."""
    world = make_edi_world(org, gtins=(GTIN,))
    return World(org, world.customer, world.products[0], world.partner)


def orders(number: str, gtin: str = GTIN, qty: str = "12", ref: str = "1001") -> bytes:
    return interchange(orders_message(number, [(gtin, qty, "3.40")]), ref=ref)


@pytest.fixture
def world(org: Organization) -> World:
    return make_world(org)


def inbound(rows: list[EdiMessage]) -> EdiMessage:
    return next(r for r in rows if r.direction == "inbound")


def rows_of(html: str) -> int:
    return html.count('data-testid="edi-row"')


# --- list ----------------------------------------------------------------------------------
def test_list_newest_first_with_filters(world: World, as_role: Callable[[str], Client]) -> None:
    done = inbound(receive(org=world.org, data=orders("PO-77", ref="1001"), filename="a.edi"))
    review = inbound(receive(org=world.org, data=orders("PO-78", UNKNOWN_GTIN, ref="1002")))
    (junk,) = receive(org=world.org, data=b"hello, not edifact", filename="junk.txt")
    EdiMessage.objects.filter(pk=done.pk).update(created_at=timezone.now() - timedelta(days=3))
    client = as_role("owner")

    html = client.get("/integrations/edi").content.decode()
    assert rows_of(html) == 5  # 3 inbound + 2 CONTRL answers
    assert html.index(str(junk.pk)) < html.index(str(review.pk)) < html.index(str(done.pk))
    so = SalesOrder.objects.get(pk=done.document_id)
    assert f'Sales order <span class="mono">{so.order_number}</span>' in html
    assert 'data-testid="edi-upload"' in html  # owners may upload

    def count(query: str) -> int:
        return rows_of(client.get(f"/integrations/edi?{query}").content.decode())

    assert count("direction=outbound") == 2
    assert count("direction=inbound&status=pending_review") == 1
    assert count("message_type=contrl") == 2
    assert count(f"partner={world.partner.pk}") == 4  # the junk file has no partner
    assert count("q=PO-78") == 1
    assert count("q=1001") == 2  # our ORDERS interchange ref + the CONTRL answering it
    today = timezone.localdate().isoformat()
    assert count(f"date_from={today}") == 4
    assert count(f"date_to={(timezone.localdate() - timedelta(days=2)).isoformat()}") == 1
    assert count(f"document={done.document_id}") == 1
    html = client.get("/integrations/edi?status=bogus&partner=x").content.decode()
    assert "status: unknown value &#x27;bogus&#x27;" in html
    assert "partner: unknown value" in html and rows_of(html) == 5
    # htmx asks for the results only
    part = client.get("/integrations/edi?direction=outbound", HTTP_HX_REQUEST="true")
    assert part.content.decode().startswith('<div id="edi-results"')


def test_list_paginates_by_50(world: World, as_role: Callable[[str], Client]) -> None:
    for n in range(55):
        receive(org=world.org, data=b"garbage %d" % n)
    client = as_role("owner")
    first = client.get("/integrations/edi").content.decode()
    assert rows_of(first) == 50 and "Page 1 of 2" in first
    assert rows_of(client.get("/integrations/edi?page=2").content.decode()) == 5


# --- detail --------------------------------------------------------------------------------
def test_detail_shows_problems_with_positions_and_marks_the_raw_segment(
    world: World, as_role: Callable[[str], Client]
) -> None:
    data = orders("PO-9").replace(b"QTY+21:12", b"QTY+21:12x")
    row = inbound(receive(org=world.org, data=data, filename="bad.edi"))
    assert row.status == "error"
    response = as_role("it_manager").get(f"/integrations/edi/messages/{row.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    problems = html[html.index('data-testid="edi-problems"') : html.index('data-testid="edi-raw"')]
    # message 1, segment 10 (UNH = 1; BGM, 2 DTM, 3 NAD, CUX, LIN before it), QTY, element
    # 1.2, line 1, byte offset, CONTRL code 37
    offset = data.index(b"QTY+21:12x")
    for cell in ('href="#seg-11">10</a>', ">QTY<", ">1.2<", f">{offset}<", ">37 <"):
        assert cell in problems, cell
    assert "invalid type of characters" in problems
    assert "6060 must be numeric, got &#x27;12x&#x27;" in problems
    # raw: escaped, one segment per line, the QTY line marked (UNB is line 1, UNH line 2)
    raw = html[html.index('id="edi-raw-text"') :]
    assert '<span id="seg-11"><mark title="6060 must be numeric' in raw
    assert "QTY+21:12x&#x27;</mark>" in raw
    unb = "UNB+UNOC:3+8799999000000:14+8712345900007:14+261120:1200+1001++++1"
    assert f"{unb}&#x27;</span>\n" in raw
    # the CONTRL we sent for it is related; history comes from the log
    contrl = EdiMessage.objects.get(message_type="CONTRL")
    related = html[html.index('data-testid="edi-related"') :]
    assert str(contrl.pk) in related and "CONTRL sent" in related
    assert "edi.orders.error" in html
    # read-only role: no action buttons
    assert 'data-testid="edi-retry"' not in html and 'data-testid="edi-upload"' not in html


def test_raw_download_is_byte_for_byte(world: World, as_role: Callable[[str], Client]) -> None:
    data = orders("PO-1")
    row = inbound(receive(org=world.org, data=data, filename="in é.edi"))
    response = as_role("accountant").get(f"/integrations/edi/messages/{row.pk}/raw")
    assert response.status_code == 200 and response.content == data
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/edifact"


def test_raw_of_a_script_is_shown_escaped(world: World, as_role: Callable[[str], Client]) -> None:
    (row,) = receive(org=world.org, data=b"<script>alert(1)</script>", filename="x.edi")
    html = as_role("owner").get(f"/integrations/edi/messages/{row.pk}").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- actions -------------------------------------------------------------------------------
def test_retry_processing_after_the_data_is_fixed(
    world: World, as_role: Callable[[str], Client]
) -> None:
    row = inbound(receive(org=world.org, data=orders("PO-5", UNKNOWN_GTIN)))
    assert row.status == "pending_review"
    client = as_role("admin")
    html = client.get(f"/integrations/edi/messages/{row.pk}").content.decode()
    assert 'data-testid="edi-retry"' in html
    errors = html[html.index('data-testid="edi-errors"') :]
    assert '<a href="#seg-10">9</a>' in errors and f"no product with GTIN {UNKNOWN_GTIN}" in errors
    url = f"/integrations/edi/messages/{row.pk}/retry"
    html = client.post(url, follow=True).content.decode()
    assert "Still pending review: 1 problem(s) left." in html
    Product.objects.filter(pk=world.product.pk).update(gtin=UNKNOWN_GTIN)
    html = client.post(url, follow=True).content.decode()
    row.refresh_from_db()
    assert row.status == "processed" and "Processed: the message went through its flow." in html
    so = SalesOrder.objects.get(pk=row.document_id)
    assert so.customer_po == "PO-5" and so.order_number in html
    audit = IntegrationLog.objects.filter(org=world.org, event_type="edi.console.retry")
    assert audit.count() == 2
    assert audit.first().metadata["edi_message_id"] == str(row.pk)  # type: ignore[union-attr]
    # nothing left to retry: the service's reason is shown, status unchanged
    html = client.post(url, follow=True).content.decode()
    assert "only inbound messages pending review can be retried" in html


def test_mark_sent_once(world: World, as_role: Callable[[str], Client]) -> None:
    receive(org=world.org, data=orders("PO-6"))
    contrl = EdiMessage.objects.get(message_type="CONTRL")
    client = as_role("owner")
    html = client.get(f"/integrations/edi/messages/{contrl.pk}").content.decode()
    assert 'data-testid="edi-mark-sent"' in html
    html = client.post(f"/integrations/edi/messages/{contrl.pk}/mark-sent", follow=True)
    assert "Marked as sent." in html.content.decode()
    contrl.refresh_from_db()
    assert contrl.status == "sent"
    again = client.post(f"/integrations/edi/messages/{contrl.pk}/mark-sent", follow=True)
    assert "message cannot go from sent to sent" in again.content.decode()
    audit = IntegrationLog.objects.get(org=world.org, event_type="edi.console.mark_sent")
    assert audit.metadata["by"].startswith("owner")
    assert IntegrationLog.objects.filter(org=world.org, event_type="edi.contrl.sent").count() == 1


def test_resend_ordrsp_makes_a_new_interchange(
    world: World, as_role: Callable[[str], Client]
) -> None:
    from monopilot.erp.services.sales import so_confirm

    row = inbound(receive(org=world.org, data=orders("PO-8")))
    so_confirm(sales_order=SalesOrder.objects.get(pk=row.document_id))
    ordrsp = EdiMessage.objects.get(message_type="ORDRSP")
    client = as_role("owner")
    html = client.get(f"/integrations/edi/messages/{ordrsp.pk}").content.decode()
    assert 'data-testid="edi-resend"' in html and 'data-testid="edi-mark-sent"' in html
    html = client.post(f"/integrations/edi/messages/{ordrsp.pk}/resend", follow=True)
    new = EdiMessage.objects.filter(message_type="ORDRSP").exclude(pk=ordrsp.pk).get()
    text = html.content.decode()
    assert f"Generated again as interchange {new.interchange_ref}" in text
    assert new.related_id == ordrsp.pk and "Resent as" in text
    ordrsp.refresh_from_db()
    assert ordrsp.status == "generated"
    assert IntegrationLog.objects.filter(event_type="edi.console.resend").count() == 1
    # inbound messages have no resend: the service's reason is shown
    html = client.post(f"/integrations/edi/messages/{row.pk}/resend", follow=True)
    assert "only outbound ORDRSP, DESADV, INVOIC messages can be resent" in html.content.decode()


def test_unknown_action_changes_nothing(world: World, as_role: Callable[[str], Client]) -> None:
    row = inbound(receive(org=world.org, data=orders("PO-7", UNKNOWN_GTIN)))
    html = as_role("owner").post(f"/integrations/edi/messages/{row.pk}/explode", follow=True)
    assert "This action is not available for this message." in html.content.decode()
    row.refresh_from_db()
    assert row.status == "pending_review"


def test_upload_stores_and_shows_every_message(
    world: World, as_role: Callable[[str], Client]
) -> None:
    client = as_role("owner")
    upload = SimpleUploadedFile("orders.edi", orders("PO-U1"), content_type="application/edifact")
    response = client.post("/integrations/edi/upload", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "orders.edi: 2 messages stored" in html and rows_of(html) == 2
    so = SalesOrder.objects.get(org=world.org, customer_po="PO-U1")
    assert so.order_number in html
    audit = IntegrationLog.objects.get(org=world.org, event_type="edi.console.upload")
    assert (
        audit.metadata["filename"] == "orders.edi" and len(audit.metadata["edi_message_ids"]) == 2
    )
    # an empty upload is refused with a message, nothing stored
    empty = SimpleUploadedFile("empty.edi", b"")
    html = client.post("/integrations/edi/upload", {"file": empty}, follow=True).content.decode()
    assert "Choose a non-empty EDIFACT file to upload." in html
    assert EdiMessage.objects.filter(org=world.org).count() == 2


# --- partners ------------------------------------------------------------------------------
def partner_post(**changes: str) -> dict[str, str]:
    data = {
        "name": "Carrefour Polska",
        "gln": "5900000000008",
        "our_gln": OUR_GLN,
        "interchange_id": "",
        "interchange_qualifier": "14",
        "customer": "",
        "supplier": "",
        "edi_enabled": "on",
        "syntax_id": "UNOC",
        "syntax_version": "3",
        "directory": "D96A",
        "send_contrl": "on",
    }
    data.update(changes)
    return data


def test_partner_create_bad_gln_is_shown_at_the_field(
    world: World, as_role: Callable[[str], Client]
) -> None:
    client = as_role("owner")
    assert client.get("/integrations/edi/partners/new").status_code == 200
    response = client.post("/integrations/edi/partners/new", partner_post(gln="5900000000001"))
    html = response.content.decode()
    assert response.status_code == 422
    error = html[html.index('data-testid="error-gln"') :]
    assert error.split("</div>")[0].endswith(
        "GLN 5900000000001 has a wrong check digit (expected 8)"
    )
    assert 'value="Carrefour Polska"' in html  # what was typed is kept
    assert not TradingPartner.objects.filter(org=world.org, name="Carrefour Polska").exists()
    response = client.post(
        "/integrations/edi/partners/new", partner_post(customer=str(world.customer.pk))
    )
    assert response.status_code == 302
    partner = TradingPartner.objects.get(org=world.org, name="Carrefour Polska")
    assert (partner.interchange_id, partner.customer, partner.test_indicator) == (
        "5900000000008",
        world.customer,
        False,
    )
    assert IntegrationLog.objects.filter(event_type="edi.console.partner_created").count() == 1
    html = client.get("/integrations/edi/partners").content.decode()
    assert html.count('data-testid="edi-partner-row"') == 2 and "Carrefour Polska" in html


def test_partner_edit_and_uniqueness(world: World, as_role: Callable[[str], Client]) -> None:
    client = as_role("admin")
    url = f"/integrations/edi/partners/{world.partner.pk}/edit"
    html = client.get(url).content.decode()
    assert f'value="{BUYER_GLN}"' in html and "selected>Retail One (RET1)" in html
    response = client.post(
        url, partner_post(gln=BUYER_GLN, name="Retail One (test)", test_indicator="on")
    )
    assert response.status_code == 302
    world.partner.refresh_from_db()
    assert world.partner.name == "Retail One (test)" and world.partner.test_indicator
    assert world.partner.customer is None and world.partner.send_contrl
    other = partner_create(org=world.org, name="Other", gln="5900000000008", our_gln=OUR_GLN)
    response = client.post(url, partner_post(gln=other.gln))
    assert response.status_code == 422
    assert "a trading partner with GLN 5900000000008 already exists" in response.content.decode()
    world.partner.refresh_from_db()
    assert world.partner.gln == BUYER_GLN
    # a foreign customer id is not a choice
    foreign = Customer.objects.create(org=make_other_org(), customer_code="X", name="X")
    response = client.post(url, partner_post(gln=BUYER_GLN, customer=str(foreign.pk)))
    assert (
        response.status_code == 422 and 'data-testid="error-customer"' in response.content.decode()
    )


def make_other_org() -> Organization:
    from monopilot.tenancy.models import Plan
    from monopilot.tenancy.services import organization_create

    return organization_create(
        name="Third", slug="third", plan=Plan.GROWTH, modules=["integrations"]
    )


# --- tenancy and roles ---------------------------------------------------------------------
def test_other_organisations_ids_answer_404(
    world: World, other_org: Organization, as_role: Callable[[str], Client]
) -> None:
    theirs = make_world(other_org)
    row = inbound(receive(org=other_org, data=orders("PO-X", UNKNOWN_GTIN)))
    client = as_role("owner")
    base = f"/integrations/edi/messages/{row.pk}"
    assert client.get(base).status_code == 404
    assert client.get(base + "/raw").status_code == 404
    assert client.post(base + "/retry").status_code == 404
    assert client.get(f"/integrations/edi/partners/{theirs.partner.pk}/edit").status_code == 404
    assert (
        client.post(
            f"/integrations/edi/partners/{theirs.partner.pk}/edit", partner_post()
        ).status_code
        == 404
    )
    html = client.get("/integrations/edi").content.decode()
    assert rows_of(html) == 0 and "Retail One EDI" not in html.split('id="edi-results"')[1]
    row.refresh_from_db()
    assert row.status == "pending_review"


def test_read_only_and_refused_roles(world: World, as_role: Callable[[str], Client]) -> None:
    row = inbound(receive(org=world.org, data=orders("PO-R", UNKNOWN_GTIN)))
    viewer = as_role("viewer")
    for url in (
        "/integrations/edi",
        f"/integrations/edi/messages/{row.pk}",
        "/integrations/edi/partners",
    ):
        assert viewer.get(url).status_code == 403
    it = as_role("it_manager")
    assert it.get("/integrations/edi").status_code == 200
    html = it.get("/integrations/edi/partners").content.decode()
    assert "Add trading partner" not in html and "/edit" not in html
    refused = it.post(f"/integrations/edi/messages/{row.pk}/retry")
    assert refused.status_code == 403
    assert "can view Integrations but not change them" in refused.content.decode()
    upload = SimpleUploadedFile("o.edi", orders("PO-R2"))
    assert it.post("/integrations/edi/upload", {"file": upload}).status_code == 403
    assert it.get("/integrations/edi/partners/new").status_code == 403
    assert it.post("/integrations/edi/partners/new", partner_post()).status_code == 403
    row.refresh_from_db()
    assert row.status == "pending_review"
    assert EdiMessage.objects.filter(org=world.org).count() == 2
    assert TradingPartner.objects.filter(org=world.org).count() == 1


def test_free_plan_gets_the_upsell(free_org: Organization, make_user, login) -> None:  # type: ignore[no-untyped-def]
    client = login(make_user(free_org, "owner"))
    assert client.get("/integrations/edi").status_code == 402


def test_nav_links_to_edi(world: World, as_role: Callable[[str], Client]) -> None:
    html = as_role("owner").get("/integrations/edi/partners").content.decode()
    assert '<a href="/integrations/edi" class="active" aria-current="page">EDI</a>' in html


def test_polish_screens(world: World, as_role: Callable[[str], Client]) -> None:
    row = inbound(receive(org=world.org, data=orders("PO-PL", UNKNOWN_GTIN)))
    client = as_role("owner")
    client.cookies["django_language"] = "pl"
    html = client.get("/integrations/edi").content.decode()
    assert "Prześlij i przetwórz" in html and "Partnerzy handlowi" in html
    assert ">Do przeglądu</span>" in html
    html = client.get(f"/integrations/edi/messages/{row.pk}").content.decode()
    assert "Ponów przetwarzanie" in html and "Historia statusów" in html
    upload = SimpleUploadedFile("pl.edi", orders("PO-PL2", ref="2002"))
    html = client.post("/integrations/edi/upload", {"file": upload}).content.decode()
    assert "pl.edi: zapisano 2 komunikaty (wliczając odpowiedzi CONTRL)." in html
