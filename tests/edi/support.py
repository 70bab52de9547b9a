"""Helpers of the EDI flow tests: an organisation's master data and synthetic messages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from monopilot.edi.edifact import Interchange, Message, WriterOptions, segment, write_interchange
from monopilot.edi.models import TradingPartner
from monopilot.edi.partners import partner_create
from monopilot.erp.models import Customer, CustomerAddress, Product, ProductType
from monopilot.tenancy.models import Organization

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edi"
OUR_GLN = "8712345900007"
BUYER_GLN = "8799999000000"
DP_GLN = "8712345002206"
GTINS = ("8712345004002", "8712345005009", "8712345006006")


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class World:
    org: Organization
    customer: Customer
    address: CustomerAddress
    products: list[Product]
    partner: TradingPartner


def make_world(org: Organization, *, gtins: tuple[str, ...] = GTINS) -> World:
    kind = ProductType.objects.create(org=org, code="FG", name="Finished Goods")
    customer = Customer.objects.create(
        org=org, customer_code="RET1", name="Retail One", gln=BUYER_GLN, tax_id="5261040828"
    )
    address = CustomerAddress.objects.create(
        org=org,
        customer=customer,
        address_type="shipping",
        name="DC North",
        address_line1="Magazynowa 1",
        city="Poznań",
        postal_code="60-001",
        gln=DP_GLN,
    )
    products = [
        Product.objects.create(
            org=org,
            code=f"FG-{n}",
            name=f"Product {n}",
            product_type=kind,
            gtin=gtin,
            std_price=Decimal("2.50"),
        )
        for n, gtin in enumerate(gtins, start=1)
    ]
    partner = partner_create(
        org=org, name="Retail One EDI", gln=BUYER_GLN, our_gln=OUR_GLN, customer=customer
    )
    return World(org, customer, address, products, partner)


def orders_message(
    number: str,
    lines: list[tuple[str, str, str]],
    *,
    buyer: str = BUYER_GLN,
    dp: str = DP_GLN,
    ref: str = "1",
) -> Message:
    """An EANCOM D.96A ORDERS; lines are (gtin, quantity, price)."""
    body = [
        segment("BGM", "220", number, "9"),
        segment("DTM", ["137", "20261120", "102"]),
        segment("DTM", ["2", "20261201", "102"]),
        segment("NAD", "BY", [buyer, "", "9"]),
        segment("NAD", "SU", [OUR_GLN, "", "9"]),
    ]
    body += [segment("NAD", "DP", [dp, "", "9"])] if dp else []
    body += [segment("CUX", ["2", "PLN", "9"])]
    for n, (gtin, qty, price) in enumerate(lines, start=1):
        body += [
            segment("LIN", str(n), "", [gtin, "EN"]),
            segment("QTY", ["21", qty]),
            segment("PRI", ["AAA", price]),
        ]
    body += [segment("UNS", "S"), segment("CNT", ["2", str(len(lines))])]
    return Message(
        ref=ref,
        type="ORDERS",
        version="D",
        release="96A",
        agency="UN",
        association="EAN008",
        segments=body,
    )


def interchange(
    *messages: Message, sender: str = BUYER_GLN, recipient: str = OUR_GLN, ref: str = "1001"
) -> bytes:
    inter = Interchange(
        sender_id=sender,
        sender_qualifier="14",
        recipient_id=recipient,
        recipient_qualifier="14",
        date="261120",
        time="1200",
        control_ref=ref,
        ack_request="1",
        messages=list(messages),
    )
    return write_interchange(inter, WriterOptions(syntax_id="UNOC", syntax_version=3))
