"""Console: EDI trading partners (list, create, edit). Writes go through `edi.partners`;
each save also writes an audit row naming the user (see `views/edi.py`)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from monopilot.console.access import MANAGE, VIEW, ConsoleContext, console, console_view
from monopilot.console.views.edi import audit
from monopilot.edi import selectors, services
from monopilot.edi.models import (
    Directory,
    TradingPartner,
)
from monopilot.edi.partners import SYNTAX_IDS
from monopilot.erp.models import Customer, Supplier
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped


# --- trading partners ---------------------------------------------------------------------
class PartnerForm(forms.Form):
    """Types and lengths only; GLN check digits and uniqueness are the service's job."""

    name = forms.CharField(max_length=200)
    gln = forms.CharField(max_length=35)
    our_gln = forms.CharField(max_length=35)
    interchange_id = forms.CharField(max_length=35, required=False)
    interchange_qualifier = forms.CharField(max_length=4)
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), required=False)
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none(), required=False)
    edi_enabled = forms.BooleanField(required=False)
    syntax_id = forms.ChoiceField(choices=[(s, s) for s in SYNTAX_IDS])
    syntax_version = forms.TypedChoiceField(choices=[(3, "3"), (4, "4")], coerce=int)
    directory = forms.ChoiceField(choices=Directory.choices)
    test_indicator = forms.BooleanField(required=False)
    send_contrl = forms.BooleanField(required=False)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = scoped(Customer, org).order_by("name")  # type: ignore[attr-defined]
        self.fields["supplier"].queryset = scoped(Supplier, org).order_by("name")  # type: ignore[attr-defined]

    def service_errors(self, exc: ValidationError) -> None:
        """The service names the field ('gln: GLN … wrong check digit'): show it there."""
        found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for name, texts in found.items():
            target = name if name in self.fields else None
            for text in texts:
                prefix, sep, rest = text.partition(": ")
                self.add_error(target, rest if sep and prefix == name else text)


NEW_PARTNER = {
    "interchange_qualifier": "14",
    "edi_enabled": True,
    "syntax_id": "UNOC",
    "syntax_version": 3,
    "directory": Directory.D96A,
    "send_contrl": True,
}


def _partner_initial(p: TradingPartner) -> dict[str, Any]:
    names = [n for n in PartnerForm.base_fields if n not in ("customer", "supplier")]
    return {
        **{n: getattr(p, n) for n in names},
        "customer": p.customer_id,
        "supplier": p.supplier_id,
    }


@require_GET
@console_view(VIEW)
def partner_list(request: HttpRequest) -> HttpResponse:
    org = console(request).org
    partners = selectors.partner_list(org=org).select_related("customer", "supplier")
    rows = partners.annotate(message_count=Count("messages"))
    return render(request, "console/edi/partners.html", {"partners": rows, "tab": "partners"})


def _partner_form(
    request: HttpRequest, form: PartnerForm, partner: TradingPartner | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "partner": partner, "tab": "partners"}
    return render(request, "console/edi/partner_form.html", context, status=status)


def _save_partner(
    ctx: ConsoleContext, form: PartnerForm, partner: TradingPartner | None
) -> TradingPartner | None:
    if not form.is_valid():
        return None
    values = dict(form.cleaned_data)
    try:
        with transaction.atomic():
            if partner is None:
                saved = services.partner_create(org=ctx.org, **values)
            else:
                saved = services.partner_update(partner=partner, **values)
            action = "partner_created" if partner is None else "partner_updated"
            audit(ctx, action, partner_id=str(saved.pk), gln=saved.gln, name=saved.name)
    except ValidationError as exc:
        form.service_errors(exc)
        return None
    return saved


@never_cache
@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def partner_create(request: HttpRequest) -> HttpResponse:
    ctx = console(request)
    if request.method == "GET":
        return _partner_form(request, PartnerForm(org=ctx.org, initial=NEW_PARTNER), None)
    form = PartnerForm(request.POST, org=ctx.org)
    saved = _save_partner(ctx, form, None)
    if saved is None:
        return _partner_form(request, form, None, status=422)
    messages.success(request, _("Trading partner %(name)s added.") % {"name": saved.name})
    return HttpResponseRedirect("/integrations/edi/partners")


@never_cache
@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def partner_edit(request: HttpRequest, partner_id: uuid.UUID) -> HttpResponse:
    ctx = console(request)
    partner = selectors.partner_get(org=ctx.org, partner_id=partner_id)
    if request.method == "GET":
        form = PartnerForm(org=ctx.org, initial=_partner_initial(partner))
        return _partner_form(request, form, partner)
    form = PartnerForm(request.POST, org=ctx.org)
    saved = _save_partner(ctx, form, partner)
    if saved is None:
        partner.refresh_from_db()
        return _partner_form(request, form, partner, status=422)
    messages.success(request, _("Trading partner %(name)s saved.") % {"name": saved.name})
    return HttpResponseRedirect("/integrations/edi/partners")
