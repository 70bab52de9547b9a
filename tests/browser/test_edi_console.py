"""The EDI screens in real Chromium: upload a real ORDERS file, open the message, see the
sales order it created; a bad GLN in the partner form; a read-only role."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from monopilot.edi.models import EdiMessage
from monopilot.edi.partners import partner_create
from monopilot.erp.models import Customer, Product, ProductType, SalesOrder
from monopilot.tenancy.models import Organization, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "edi" / "orders_d96a_edifabric_2msgs_bom.edi"
)
OUR_GLN = "8712345900007"


@pytest.fixture
def admin(org: Organization, make_user: Callable[..., User]) -> User:
    return make_user(org, "admin", email="admin@test.example.com")


@pytest.fixture
def uk_partner(org: Organization) -> None:
    """The partner of the edifabric sample (UNB sender SENDER1, a test interchange)."""
    kind = ProductType.objects.create(org=org, code="FG", name="FG")
    buyer = Customer.objects.create(
        org=org, customer_code="UK1", name="UK Foods", gln="5412345000013"
    )
    Product.objects.create(org=org, code="abc1234", name="Beans", product_type=kind)
    partner_create(
        org=org,
        name="UK Foods EDI",
        gln="5412345000013",
        interchange_id="SENDER1",
        our_gln=OUR_GLN,
        customer=buyer,
        test_indicator=True,
    )


def test_upload_orders_and_open_the_sales_order_message(
    live_server: Any,
    page_factory: Any,
    sign_in: Any,
    shot: Callable[[Any, str], Path],
    admin: User,
    org: Organization,
    uk_partner: None,
) -> None:
    page = page_factory()
    sign_in(page, admin.email)
    page.click('nav >> text="EDI"')
    page.wait_for_url("**/integrations/edi")
    assert "No EDI messages match these filters." in page.content()
    page.set_input_files("#edi-file", str(SAMPLE))
    page.click('[data-testid="edi-upload-submit"]')
    page.wait_for_selector('[data-testid="edi-upload-summary"]')
    summary = page.inner_text('[data-testid="edi-upload-summary"]')
    assert "orders_d96a_edifabric_2msgs_bom.edi: 3 messages stored" in summary
    statuses = page.locator('[data-testid="edi-status"]').evaluate_all(
        "els => els.map(e => e.dataset.status)"
    )
    assert statuses == ["processed", "error", "generated"]  # order, duplicate, our CONTRL

    so = SalesOrder.objects.get(org=org, customer_po="128576")
    page.goto(live_server.url + "/integrations/edi")
    assert page.locator('[data-testid="edi-row"]').count() == 3
    shot(page, "edi-01-list")
    # htmx filter: only what needs attention
    page.select_option("#f-status", "error")
    page.wait_for_function("document.querySelectorAll('[data-testid=edi-row]').length === 1")
    assert "status=error" in page.url
    assert "duplicate order 128576" in page.inner_text('[data-testid="edi-results"]')
    page.select_option("#f-status", "")
    page.wait_for_function("document.querySelectorAll('[data-testid=edi-row]').length === 3")

    row = page.locator('[data-testid="edi-row"]', has=page.locator('[data-status="processed"]'))
    row.locator("[data-testid=edi-open]").click()
    page.wait_for_selector('[data-testid="edi-business"]')
    business = page.inner_text('[data-testid="edi-business"]')
    assert f"Sales order\t{so.order_number}" in business or so.order_number in business
    assert page.inner_text('[data-testid="edi-document-status"]').strip() == "Draft"
    assert page.inner_text('[data-testid="edi-status"]').strip() == "Processed"
    envelope = page.inner_text('[data-testid="edi-envelope"]')
    assert "SENDER1" in envelope and "131" in envelope and "UK Foods EDI" in envelope
    raw = page.inner_text('[data-testid="edi-raw-text"]')
    assert raw.splitlines()[1] == "UNH+000000101+ORDERS:D:96A:UN'"
    related = page.inner_text('[data-testid="edi-related"]')
    assert "CONTRL sent" in related and "Duplicate" in related
    shot(page, "edi-02-detail")
    # the download is the stored interchange, byte for byte
    with page.expect_download() as info:
        page.click('[data-testid="edi-download"]')
    message = EdiMessage.objects.get(org=org, document_id=so.pk, direction="inbound")
    assert Path(info.value.path()).read_bytes() == bytes(message.raw)
    # the sales order link lists the EDI messages of that order
    page.click('[data-testid="edi-business"] [data-testid="edi-document"]')
    page.wait_for_url(f"**/integrations/edi?document={so.pk}")
    assert page.locator('[data-testid="edi-row"]').count() == 1


def test_partner_form_bad_gln_then_saved(
    live_server: Any, page_factory: Any, sign_in: Any, admin: User, org: Organization
) -> None:
    page = page_factory()
    sign_in(page, admin.email)
    page.goto(live_server.url + "/integrations/edi/partners")
    page.click('[data-testid="edi-new-partner"]')
    page.fill("#p-name", "Biedronka")
    page.fill("#p-gln", "5900000000001")
    page.fill("#p-our", OUR_GLN)
    page.click('[data-testid="edi-partner-save"]')
    error = page.inner_text('[data-testid="error-gln"]')
    assert error == "GLN 5900000000001 has a wrong check digit (expected 8)"
    assert page.input_value("#p-name") == "Biedronka"
    page.fill("#p-gln", "5900000000008")
    page.click('[data-testid="edi-partner-save"]')
    page.wait_for_url("**/integrations/edi/partners")
    assert page.locator('[data-testid="edi-partner-row"]').count() == 1
    assert "Trading partner Biedronka added." in page.content()


def test_it_manager_sees_but_cannot_act(
    live_server: Any,
    page_factory: Any,
    sign_in: Any,
    org: Organization,
    make_user: Callable[..., User],
    uk_partner: None,
) -> None:
    from monopilot.edi.services import receive

    receive(org=org, data=SAMPLE.read_bytes(), filename="uk.edi")
    viewer = make_user(org, "it_manager", email="it@test.example.com")
    page = page_factory()
    sign_in(page, viewer.email)
    page.goto(live_server.url + "/integrations/edi")
    assert page.locator('[data-testid="edi-row"]').count() == 3
    assert page.locator('[data-testid="edi-upload"]').count() == 0
    contrl = EdiMessage.objects.get(org=org, message_type="CONTRL")
    page.goto(live_server.url + f"/integrations/edi/messages/{contrl.pk}")
    assert page.locator('[data-testid="edi-mark-sent"]').count() == 0
    # a forged POST is refused by the server and changes nothing
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector('body').getAttribute('hx-headers');
            const csrf = JSON.parse(token)['X-CSRFToken'];
            const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': csrf}});
            return r.status;
        }""",
        f"/integrations/edi/messages/{contrl.pk}/mark-sent",
    )
    assert status == 403
    contrl.refresh_from_db()
    assert contrl.status == "generated"
