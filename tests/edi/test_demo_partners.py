"""seed-demo gives the demo organisation EDI partners, so a new user can try ORDERS at once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from monopilot.edi.inbox import receive
from monopilot.edi.models import TradingPartner
from monopilot.erp.models import Product, SalesOrder
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

from .support import interchange, orders_message


@pytest.mark.django_db
def test_demo_partners_are_seeded_once_and_trade() -> None:
    call_command("seed_demo", stdout=StringIO())
    org = Organization.objects.get(slug="demo")
    partners = list(scoped(TradingPartner, org).order_by("name"))
    assert len(partners) == 4
    assert sum(p.customer_id is not None for p in partners) == 3
    assert all(p.our_gln == org.gln and p.edi_enabled for p in partners)
    call_command("seed_demo", stdout=StringIO())
    assert scoped(TradingPartner, org).count() == 4

    buyer = next(p for p in partners if p.customer_id is not None)
    assert buyer.customer is not None
    product = scoped(Product, org).exclude(gtin="").order_by("code").first()
    assert product is not None
    message = orders_message("DEMO-1", [(product.gtin, "3", "4.20")], buyer=buyer.gln, dp="")
    rows = receive(org=org, data=interchange(message, sender=buyer.gln, recipient=org.gln))
    order_row = next(r for r in rows if r.message_type == "ORDERS")
    assert order_row.status == "processed", order_row.errors
    order = scoped(SalesOrder, org).get(pk=order_row.document_id)
    assert (order.customer_id, order.customer_po) == (buyer.customer_id, "DEMO-1")
