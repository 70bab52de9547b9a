"""Resending an outbound ORDRSP/DESADV/INVOIC: a new interchange, same message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from erp.factories import build_base, shipped_shipment
from monopilot.edi.edifact import Segment, parse, validate
from monopilot.edi.models import EdiMessage, TradingPartner
from monopilot.edi.partners import partner_create
from monopilot.edi.services import mark_sent, receive, resend
from monopilot.erp.models import SalesOrder
from monopilot.erp.services.invoicing import invoice_create_from_shipment, invoice_finalize
from monopilot.erp.services.sales import so_confirm
from monopilot.events.models import Event
from monopilot.integration_logs.models import IntegrationLog

from .support import GTINS, OUR_GLN, interchange, orders_message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "edi.urls"


@pytest.fixture
def api(client, org):
    client.defaults["HTTP_X_TEST_ORG"] = org.slug
    return client


def confirmed_ordrsp(world) -> EdiMessage:
    msg = orders_message("PO-77", [(GTINS[0], "12", "3.40"), (GTINS[1], "2", "1.10")])
    (row, _contrl) = receive(org=world.org, data=interchange(msg))
    so_confirm(sales_order=SalesOrder.objects.get(pk=row.document_id))
    return EdiMessage.objects.get(message_type="ORDRSP")


def snapshot(row: EdiMessage) -> tuple:
    row.refresh_from_db()
    return (bytes(row.raw), row.status, row.interchange_ref, row.related_id, row.updated_at)


def envelope_and_body(row: EdiMessage) -> tuple[list[Segment], list[Segment]]:
    (inter,) = parse(bytes(row.raw))
    assert validate(inter).problems == []
    (msg,) = inter.all_messages()
    assert inter.header is not None and inter.trailer is not None
    return [inter.header, msg.segments[0], msg.segments[-1], inter.trailer], msg.body


def assert_same_message(original: EdiMessage, new: EdiMessage) -> None:
    """Business content identical; only the interchange reference (UNB/UNZ 0020) and the
    preparation time change. UNH/UNT keep the message ref and count."""
    old_env, old_body = envelope_and_body(original)
    new_env, new_body = envelope_and_body(new)
    assert len(old_body) == len(new_body) > 5
    assert all(a.same_content(b) for a, b in zip(old_body, new_body, strict=True))
    (old_unb, old_unh, old_unt, old_unz), (new_unb, new_unh, new_unt, new_unz) = old_env, new_env
    assert old_unh.same_content(new_unh) and old_unt.same_content(new_unt)
    assert new_unb.value(5) == new_unz.value(2) == new.interchange_ref
    assert old_unb.value(5) == old_unz.value(2) == original.interchange_ref != new.interchange_ref
    assert [old_unb.value(i) for i in (1, 2, 3)] == [new_unb.value(i) for i in (1, 2, 3)]


def test_resend_ordrsp_new_interchange_same_content_original_untouched(world):
    original = mark_sent(message=confirmed_ordrsp(world))
    before = snapshot(original)
    world.partner.refresh_from_db()
    assert world.partner.control_counter == 2  # CONTRL for the ORDERS, then the ORDRSP
    new = resend(message=original)
    assert (new.status, new.related_id, new.message_type, new.direction) == (
        "generated",
        original.id,
        "ORDRSP",
        "outbound",
    )
    assert (new.document_id, new.document_number, new.message_version) == (
        original.document_id,
        original.document_number,
        original.message_version,
    )
    assert new.interchange_ref == "3" and new.message_ref == original.message_ref
    world.partner.refresh_from_db()
    assert world.partner.control_counter == 3
    assert_same_message(original, new)
    assert snapshot(original) == before  # raw, status `sent`, refs, related, updated_at
    log = IntegrationLog.objects.get(event_type="edi.ordrsp.resent")
    assert log.metadata["resent_from"] == str(original.id)
    assert log.metadata["edi_message_id"] == str(new.id)
    assert log.external_id == "3/1"
    generated = Event.objects.filter(type="edi.message.generated").order_by("occurred_at")
    assert generated.last().data["message_id"] == str(new.id)
    # a second resend takes the next number: the sequence stays gap-free
    assert resend(message=original).interchange_ref == "4"


@pytest.fixture
def base(org):
    base = build_base(org)
    partner_create(
        org=org, name="Sklep EDI", gln=base.customer.gln, our_gln=OUR_GLN, customer=base.customer
    )
    return base


@pytest.mark.parametrize("directory", ["D96A", "D01B"])
def test_resend_desadv_and_invoic(base, directory):
    TradingPartner.objects.update(directory=directory)
    shipment = shipped_shipment(base)
    invoice_finalize(invoice=invoice_create_from_shipment(shipment=shipment))
    for message_type in ("DESADV", "INVOIC"):
        original = EdiMessage.objects.get(message_type=message_type)
        new = resend(message=original)
        assert new.related_id == original.id and new.status == "generated"
        assert_same_message(original, new)
    refs = list(
        EdiMessage.objects.filter(direction="outbound")
        .order_by("created_at")
        .values_list("interchange_ref", flat=True)
    )
    assert sorted(int(r) for r in refs) == list(range(1, len(refs) + 1))


def test_resend_refuses_inbound_contrl_and_disabled_partner(world):
    (order, contrl) = receive(
        org=world.org, data=interchange(orders_message("PO-1", [(GTINS[0], "1", "1")]))
    )
    for row, text in (
        (order, "(this one is inbound ORDERS)"),
        (contrl, "(this one is outbound CONTRL)"),
    ):
        before = EdiMessage.objects.count()
        with pytest.raises(ValidationError) as info:
            resend(message=row)
        assert info.value.messages == [
            f"only outbound ORDRSP, DESADV, INVOIC messages can be resent {text}"
        ]
        assert EdiMessage.objects.count() == before
    ordrsp = confirmed_ordrsp_from(world, order)
    world.partner.edi_enabled = False
    world.partner.save()
    with pytest.raises(ValidationError, match="has EDI switched off"):
        resend(message=ordrsp)


def confirmed_ordrsp_from(world, order: EdiMessage) -> EdiMessage:
    so_confirm(sales_order=SalesOrder.objects.get(pk=order.document_id))
    return EdiMessage.objects.get(message_type="ORDRSP")


def test_api_resend(api, client, world, other_org):
    original = confirmed_ordrsp(world)
    response = api.post(f"/api/v1/edi/messages/{original.id}/resend")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["related_id"], body["message_type"]) == (
        "generated",
        str(original.id),
        "ORDRSP",
    )
    assert body["interchange_ref"] == "3" and body["id"] != str(original.id)
    new = EdiMessage.objects.get(pk=body["id"])
    assert_same_message(original, new)
    inbound = EdiMessage.objects.get(direction="inbound")
    refused = api.post(f"/api/v1/edi/messages/{inbound.id}/resend")
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "cannot_resend",
        "message": "only outbound ORDRSP, DESADV, INVOIC messages can be resent "
        "(this one is inbound ORDERS)",
        "details": {},
    }
    count = EdiMessage.objects.count()
    client.defaults["HTTP_X_TEST_ORG"] = other_org.slug
    stranger = client.post(f"/api/v1/edi/messages/{original.id}/resend")
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"
    client.defaults["HTTP_X_TEST_ORG"] = world.org.slug
    client.defaults["HTTP_X_TEST_SCOPES"] = "read:orders"
    denied = client.post(f"/api/v1/edi/messages/{original.id}/resend")
    assert denied.status_code == 403 and "edi:exchange" in denied.json()["error"]["message"]
    assert EdiMessage.objects.count() == count
