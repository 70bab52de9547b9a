"""Suppliers and customers (with addresses and contacts): the trading partners."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from monopilot.core.gs1 import validate_gln, validate_nip
from monopilot.erp import payloads
from monopilot.erp.models import (
    AddressType,
    Currency,
    Customer,
    CustomerAddress,
    CustomerCategory,
    CustomerContact,
    Supplier,
)
from monopilot.erp.services.common import changes_of, emit, fail, non_negative, validated
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

_SUPPLIER_FIELDS = (
    "name",
    "address",
    "city",
    "postal_code",
    "country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "currency",
    "tax_code",
    "payment_terms",
    "notes",
    "is_active",
    "approved_supplier",
    "supplier_rating",
    "last_audit_date",
    "next_audit_due",
    "tax_id",
    "gln",
)
_CUSTOMER_FIELDS = (
    "name",
    "email",
    "phone",
    "tax_id",
    "gln",
    "credit_limit",
    "payment_terms_days",
    "category",
    "allergen_restrictions",
    "is_active",
    "notes",
)


def _partner_ids(values: dict[str, Any]) -> dict[str, Any]:
    """NIP and GLN are optional, but a given one must be valid."""
    cleaned = dict(values)
    if cleaned.get("tax_id"):
        cleaned["tax_id"] = validated(validate_nip, cleaned["tax_id"], field="tax_id")
    if cleaned.get("gln"):
        cleaned["gln"] = validated(validate_gln, cleaned["gln"], field="gln")
    return cleaned


def _only(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        fail(unknown[0], "is not a known field")


def _clean_supplier(values: dict[str, Any]) -> dict[str, Any]:
    _only(values, _SUPPLIER_FIELDS)
    cleaned = _partner_ids(values)
    if "currency" in cleaned and cleaned["currency"] not in Currency.values:
        fail("currency", f"must be one of {', '.join(Currency.values)}")
    if "payment_terms" in cleaned and not cleaned["payment_terms"]:
        fail("payment_terms", "is required")
    return cleaned


@transaction.atomic
def supplier_create(
    *, org: Organization, code: str, name: str, payment_terms: str, **values: Any
) -> Supplier:
    if not code:
        fail("code", "is required")
    if scoped(Supplier, org).filter(code=code).exists():
        fail("code", f"supplier {code} already exists")
    cleaned = _clean_supplier({**values, "payment_terms": payment_terms})
    supplier = Supplier.objects.create(org=org, code=code, name=name, **cleaned)
    emit(
        org=org,
        type="supplier.created",
        subject=("supplier", supplier.id),
        data=payloads.supplier(supplier),
    )
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, **values: Any) -> Supplier:
    changes = changes_of(supplier, _clean_supplier(values))
    if changes:
        supplier.save()
        emit(
            org=supplier.org,
            type="supplier.updated",
            subject=("supplier", supplier.id),
            data={**payloads.supplier(supplier), "changes": changes},
        )
    return supplier


def _clean_customer(values: dict[str, Any]) -> dict[str, Any]:
    _only(values, _CUSTOMER_FIELDS)
    cleaned = _partner_ids(values)
    if "category" in cleaned and cleaned["category"] not in CustomerCategory.values:
        fail("category", f"must be one of {', '.join(CustomerCategory.values)}")
    terms = cleaned.get("payment_terms_days")
    if terms is not None and not 1 <= int(terms) <= 365:
        fail("payment_terms_days", "must be between 1 and 365")
    if cleaned.get("credit_limit") is not None:
        cleaned["credit_limit"] = non_negative(cleaned["credit_limit"], field="credit_limit")
    return cleaned


@transaction.atomic
def customer_create(*, org: Organization, customer_code: str, name: str, **values: Any) -> Customer:
    if not customer_code:
        fail("customer_code", "is required")
    if scoped(Customer, org).filter(customer_code=customer_code).exists():
        fail("customer_code", f"customer {customer_code} already exists")
    customer = Customer.objects.create(
        org=org, customer_code=customer_code, name=name, **_clean_customer(values)
    )
    emit(
        org=org,
        type="customer.created",
        subject=("customer", customer.id),
        data=payloads.customer(customer),
    )
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, **values: Any) -> Customer:
    changes = changes_of(customer, _clean_customer(values))
    if changes:
        customer.save()
        emit(
            org=customer.org,
            type="customer.updated",
            subject=("customer", customer.id),
            data={**payloads.customer(customer), "changes": changes},
        )
    return customer


@transaction.atomic
def customer_address_add(
    *,
    customer: Customer,
    address_type: str,
    address_line1: str,
    city: str,
    postal_code: str,
    country: str = "PL",
    is_default: bool = False,
    gln: str = "",
    name: str = "",
    address_line2: str = "",
    dock_hours: str = "",
) -> CustomerAddress:
    if address_type not in AddressType.values:
        fail("address_type", "must be billing or shipping")
    for field, value in (
        ("address_line1", address_line1),
        ("city", city),
        ("postal_code", postal_code),
    ):
        if not value:
            fail(field, "is required")
    if gln:
        gln = validated(validate_gln, gln, field="gln")
    siblings = scoped(CustomerAddress, customer.org).filter(
        customer=customer, address_type=address_type
    )
    if is_default or not siblings.exists():
        siblings.update(is_default=False)
        is_default = True
    return CustomerAddress.objects.create(
        org=customer.org,
        customer=customer,
        address_type=address_type,
        is_default=is_default,
        address_line1=address_line1,
        address_line2=address_line2,
        city=city,
        postal_code=postal_code,
        country=country,
        gln=gln,
        name=name,
        dock_hours=dock_hours,
    )


@transaction.atomic
def customer_contact_add(
    *,
    customer: Customer,
    name: str,
    email: str = "",
    phone: str = "",
    title: str = "",
    is_primary: bool = False,
) -> CustomerContact:
    if not name:
        fail("name", "is required")
    if is_primary:
        scoped(CustomerContact, customer.org).filter(customer=customer).update(is_primary=False)
    return CustomerContact.objects.create(
        org=customer.org,
        customer=customer,
        name=name,
        email=email,
        phone=phone,
        title=title,
        is_primary=is_primary,
    )
