"""Suppliers and customers (read:partners / write:partners)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from monopilot.api.context import require_scope
from monopilot.api.resources import one, read_endpoints, tenant
from monopilot.api.schemas import responses
from monopilot.erp.models import Customer, Supplier
from monopilot.erp.services import partners

READ = ("read:partners",)
suppliers = Router(tags=["partners"])
customers = Router(tags=["partners"])


class SupplierOut(Schema):
    id: UUID
    code: str
    name: str
    address: str
    city: str
    postal_code: str
    country: str
    contact_name: str
    contact_email: str
    contact_phone: str
    currency: str
    payment_terms: str
    tax_id: str
    gln: str
    is_active: bool
    approved_supplier: bool
    last_audit_date: date | None
    created_at: datetime
    updated_at: datetime


class AddressOut(Schema):
    id: UUID
    address_type: str
    is_default: bool
    name: str
    address_line1: str
    address_line2: str
    city: str
    postal_code: str
    country: str
    gln: str


class CustomerOut(Schema):
    id: UUID
    customer_code: str
    name: str
    email: str
    phone: str
    tax_id: str
    gln: str
    credit_limit: Decimal | None
    payment_terms_days: int
    category: str
    is_active: bool
    addresses: list[AddressOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_addresses(obj: Customer) -> list[Any]:
        return list(obj.addresses.all())


def _active_filter(qs: Any, params: Any) -> Any:
    if params.status == "active":
        return qs.filter(is_active=True)
    if params.status == "inactive":
        return qs.filter(is_active=False)
    return qs


class SupplierFields(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    address: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, min_length=2, max_length=2)
    contact_name: str | None = Field(None, max_length=100)
    contact_email: str | None = Field(None, max_length=254)
    contact_phone: str | None = Field(None, max_length=50)
    currency: Literal["PLN", "EUR", "USD", "GBP"] | None = None
    payment_terms: str | None = Field(None, min_length=1, max_length=100)
    notes: str | None = None
    is_active: bool | None = None
    approved_supplier: bool | None = None
    tax_id: str | None = Field(None, max_length=10, description="NIP")
    gln: str | None = Field(None, max_length=13)


class SupplierIn(SupplierFields):
    code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=200)
    payment_terms: str = Field(..., min_length=1, max_length=100)


class CustomerFields(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)
    tax_id: str | None = Field(None, max_length=10, description="NIP")
    gln: str | None = Field(None, max_length=13)
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)
    payment_terms_days: int | None = Field(None, ge=0, le=365)
    category: Literal["retail", "wholesale", "distributor"] | None = None
    is_active: bool | None = None
    notes: str | None = None


class CustomerIn(CustomerFields):
    customer_code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=200)


def _set(payload: Schema) -> dict[str, Any]:
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}


@suppliers.post(
    "",
    response=responses(SupplierOut, 201),
    operation_id="create_supplier",
    summary="Create a supplier",
)
def create_supplier(request: HttpRequest, payload: SupplierIn) -> Any:
    who = require_scope(request, "write:partners")
    return Status(201, partners.supplier_create(org=who.org, **_set(payload)))


@suppliers.patch(
    "/{id}",
    response=responses(SupplierOut),
    operation_id="update_supplier",
    summary="Change a supplier",
)
def update_supplier(request: HttpRequest, id: UUID, payload: SupplierFields) -> Any:
    who = require_scope(request, "write:partners")
    supplier = one(tenant(Supplier)(who.org), "Supplier", pk=id)
    return partners.supplier_update(supplier=supplier, **_set(payload))


@customers.post(
    "",
    response=responses(CustomerOut, 201),
    operation_id="create_customer",
    summary="Create a customer",
)
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    who = require_scope(request, "write:partners")
    customer = partners.customer_create(org=who.org, **_set(payload))
    return Status(201, one(_customers(who.org), "Customer", pk=customer.pk))


@customers.patch(
    "/{id}",
    response=responses(CustomerOut),
    operation_id="update_customer",
    summary="Change a customer",
)
def update_customer(request: HttpRequest, id: UUID, payload: CustomerFields) -> Any:
    who = require_scope(request, "write:partners")
    customer = one(_customers(who.org), "Customer", pk=id)
    partners.customer_update(customer=customer, **_set(payload))
    return one(_customers(who.org), "Customer", pk=id)


_customers = tenant(Customer, prefetch=["addresses"])

read_endpoints(
    suppliers,
    name="suppliers",
    what="Supplier",
    out=SupplierOut,
    scopes=READ,
    queryset=tenant(Supplier),
    number_field="code",
    status_field=None,
    number_path="by-code",
    extra_filter=_active_filter,
)
read_endpoints(
    customers,
    name="customers",
    what="Customer",
    out=CustomerOut,
    scopes=READ,
    queryset=_customers,
    number_field="customer_code",
    status_field=None,
    number_path="by-code",
    extra_filter=_active_filter,
)
router = suppliers
