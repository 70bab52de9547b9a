"""Trading partner services: create, update and the gap-free interchange counter."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from monopilot.core.gs1 import validate_gln
from monopilot.edi.models import Directory, TradingPartner
from monopilot.erp.models import Customer, Supplier
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

EDITABLE = (
    "name",
    "gln",
    "interchange_id",
    "interchange_qualifier",
    "customer",
    "supplier",
    "edi_enabled",
    "syntax_id",
    "syntax_version",
    "directory",
    "our_gln",
    "test_indicator",
    "send_contrl",
)
SYNTAX_IDS = ("UNOA", "UNOB", "UNOC", "UNOD", "UNOE", "UNOW", "UNOY")


def _fail(field: str, message: str) -> None:
    raise ValidationError({field: [f"{field}: {message}"]})


def _check(org: Organization, values: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        _fail(unknown[0], "is not a trading partner field")
    for name in ("gln", "our_gln"):
        if name in values:
            try:
                values[name] = validate_gln(str(values[name]))
            except ValidationError as exc:
                _fail(name, exc.messages[0])
    if "directory" in values and values["directory"] not in Directory.values:
        _fail("directory", f"must be one of {', '.join(Directory.values)}")
    if "syntax_id" in values and values["syntax_id"] not in SYNTAX_IDS:
        _fail("syntax_id", f"must be one of {', '.join(SYNTAX_IDS)}")
    if "syntax_version" in values and values["syntax_version"] not in (3, 4):
        _fail("syntax_version", "must be 3 or 4")
    for name, model in (("customer", Customer), ("supplier", Supplier)):
        obj = values.get(name)
        if obj is not None and (not isinstance(obj, model) or obj.org_id != org.id):
            _fail(name, "must belong to this organisation")
    return values


def _unique(org: Organization, partner: TradingPartner) -> None:
    others = scoped(TradingPartner, org).exclude(pk=partner.pk)
    if others.filter(gln=partner.gln).exists():
        _fail("gln", f"a trading partner with GLN {partner.gln} already exists")
    if others.filter(interchange_id=partner.interchange_id).exists():
        _fail("interchange_id", f"interchange id {partner.interchange_id} is already used")


@transaction.atomic
def partner_create(
    *, org: Organization, name: str, gln: str, our_gln: str, **values: Any
) -> TradingPartner:
    values = _check(org, {"name": name, "gln": gln, "our_gln": our_gln, **values})
    if not values.get("interchange_id"):
        values["interchange_id"] = values["gln"]
    if not str(values["name"]).strip():
        _fail("name", "is required")
    partner = TradingPartner(org=org, **values)
    _unique(org, partner)
    partner.save()
    return partner


@transaction.atomic
def partner_update(*, partner: TradingPartner, **values: Any) -> TradingPartner:
    values = _check(partner.org, dict(values))
    for key, value in values.items():
        setattr(partner, key, value)
    if not partner.interchange_id:
        partner.interchange_id = partner.gln
    _unique(partner.org, partner)
    partner.save()
    return partner


@transaction.atomic
def partner_delete(*, partner: TradingPartner) -> None:
    """Partners with messages are kept (history); switch EDI off instead."""
    if partner.messages.exists():
        _fail("partner", "has EDI messages; switch edi_enabled off instead of deleting")
    partner.delete()


def next_control_ref(partner: TradingPartner) -> str:
    """The next UNB 0020 for this partner. Call inside the transaction that stores the
    message: the row lock and the rollback together keep the sequence without gaps."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_control_ref must run inside a transaction")
    TradingPartner.objects.filter(pk=partner.pk).update(control_counter=F("control_counter") + 1)
    value = (
        TradingPartner.objects.select_for_update()
        .values_list("control_counter", flat=True)
        .get(pk=partner.pk)
    )
    partner.control_counter = value
    return str(value)
