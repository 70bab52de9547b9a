"""CONTRL in (our sent messages confirmed/rejected) and trading partner rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from monopilot.edi import messages as store
from monopilot.edi.edifact import build_contrl, parse, validate
from monopilot.edi.models import EdiMessage
from monopilot.edi.partners import next_control_ref, partner_create, partner_delete, partner_update
from monopilot.edi.selectors import message_get, message_list, partner_get
from monopilot.edi.services import mark_sent, receive

from .support import BUYER_GLN, GTINS, OUR_GLN, interchange, orders_message

pytestmark = pytest.mark.django_db


def sent_message(world) -> EdiMessage:
    """One of our interchanges as the partner received it (an ORDERS body will do)."""
    with transaction.atomic():
        ref = next_control_ref(world.partner)
    data = interchange(
        orders_message("X", [(GTINS[0], "1", "1")]), sender=OUR_GLN, recipient=BUYER_GLN, ref=ref
    )
    row = store.outbound(
        partner=world.partner,
        message_type="ORDRSP",
        data=data,
        interchange_ref=ref,
        message_ref="1",
    )
    return mark_sent(message=row)


def partner_contrl(row: EdiMessage, *, break_it: bool = False) -> bytes:
    data = bytes(row.raw)
    if break_it:
        data = data.replace(b"UNT+", b"UNT+9")
    (inter,) = parse(data)
    return build_contrl(
        inter,
        validate(inter),
        sender=(BUYER_GLN, "14"),
        recipient=(OUR_GLN, "14"),
        control_ref="77",
    )


def test_contrl_in_confirms_our_message_and_sends_no_contrl_back(world):
    sent = sent_message(world)
    rows = receive(org=world.org, data=partner_contrl(sent))
    assert [(r.direction, r.message_type, r.status) for r in rows] == [
        ("inbound", "CONTRL", "processed")
    ]
    sent.refresh_from_db()
    assert sent.status == "confirmed" and sent.related_id == rows[0].id
    from monopilot.events.models import Event

    ack = Event.objects.get(type="edi.message.acknowledged")
    assert ack.data["message_id"] == str(sent.id) and ack.data["status"] == "confirmed"
    assert rows[0].document_id == sent.id


def test_contrl_in_rejects_with_errors(world):
    sent = sent_message(world)
    (row,) = receive(org=world.org, data=partner_contrl(sent, break_it=True))
    sent.refresh_from_db()
    assert sent.status == "rejected" and row.status == "processed"


def test_contrl_for_unknown_interchange_goes_to_review(world):
    sent = sent_message(world)
    data = partner_contrl(sent)
    EdiMessage.objects.filter(pk=sent.pk).update(interchange_ref="999")
    (row,) = receive(org=world.org, data=data)
    assert row.status == "pending_review"
    assert "which we never sent" in row.errors[0]["message"]


def test_status_machine_refuses_illegal_moves(world):
    sent = sent_message(world)
    with pytest.raises(ValidationError, match="cannot go from sent to sent"):
        mark_sent(message=sent)


def test_partner_validation(org, world):
    with pytest.raises(ValidationError, match="GLN 5412345000014 has a wrong check digit"):
        partner_create(org=org, name="X", gln="5412345000014", our_gln=OUR_GLN)
    with pytest.raises(ValidationError, match="already exists"):
        partner_create(org=org, name="X", gln=BUYER_GLN, our_gln=OUR_GLN)
    with pytest.raises(ValidationError, match="directory: must be one of D96A, D01B"):
        partner_update(partner=world.partner, directory="D99Z")
    p = partner_create(org=org, name="Y", gln="5412345000013", our_gln=OUR_GLN, directory="D01B")
    assert (p.interchange_id, p.syntax_id, p.test_indicator) == ("5412345000013", "UNOC", False)
    partner_delete(partner=p)
    with pytest.raises(ValidationError, match="switch edi_enabled off"):
        sent_message(world) and partner_delete(partner=world.partner)


def test_control_counter_rolls_back_with_the_transaction(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_control_ref(world.partner) == "1"
        raise RuntimeError
    with transaction.atomic():
        assert next_control_ref(world.partner) == "1"


def test_cross_tenant_reads_are_404(world, other_org):
    (row, _) = receive(org=world.org, data=interchange(orders_message("P", [(GTINS[0], "1", "1")])))
    with pytest.raises(Http404):
        message_get(org=other_org, message_id=row.id)
    with pytest.raises(Http404):
        partner_get(org=other_org, partner_id=world.partner.id)
    assert not message_list(org=other_org).exists()
    assert message_list(org=world.org, message_type="orders").get() == row
    assert message_list(org=world.org, direction="outbound").count() == 1
