"""Demo trading partners for `monopilot seed-demo`: the retail customers and suppliers of the
demo organisation that carry a GLN trade with it over EDI (idempotent)."""

from __future__ import annotations

from monopilot.edi.models import TradingPartner
from monopilot.edi.partners import partner_create
from monopilot.erp.models import Customer, Supplier
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

DEMO_PARTNERS = 3


def seed_partners(*, org: Organization) -> list[str]:
    """Create partners for the first customers and the first supplier with a GLN."""
    if not org.gln or scoped(TradingPartner, org).exists():
        return []
    created: list[str] = []
    customers = scoped(Customer, org).exclude(gln="").order_by("customer_code")
    for customer in customers[:DEMO_PARTNERS]:
        partner_create(
            org=org, name=customer.name, gln=customer.gln, our_gln=org.gln, customer=customer
        )
        created.append(customer.name)
    supplier = scoped(Supplier, org).exclude(gln="").order_by("code").first()
    if supplier is not None:
        partner_create(
            org=org, name=supplier.name, gln=supplier.gln, our_gln=org.gln, supplier=supplier
        )
        created.append(supplier.name)
    return created
