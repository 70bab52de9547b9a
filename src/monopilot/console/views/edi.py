"""EDI screens (FR-INT-015/016/017/025/026, wireframe INT-008): messages in and out, a
detail page that places every problem in the raw interchange, actions by state, upload,
and trading partners.

Reads go through `edi.selectors` (the console adds its own filters on top: date range,
search and business document); writes through `edi.services` and `edi.partners`. The EDI
services do not know who acted, so each console action also writes an audit row
(`edi.console.<action>`, by whom) in the same transaction, as the outbox services do for
the queue actions.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from monopilot.console.access import MANAGE, VIEW, ConsoleContext, console, console_view
from monopilot.console.htmx import is_htmx
from monopilot.edi import selectors, services
from monopilot.edi.edifact import EdifactError, RawSegment, SyntaxErrorCode, Tokenizer
from monopilot.edi.models import (
    Directory,
    EdiMessage,
    MessageDirection,
    MessageStatus,
    TradingPartner,
)
from monopilot.edi.partners import SYNTAX_IDS
from monopilot.erp.models import Customer, GoodsReceipt, Invoice, SalesOrder, Shipment, Supplier
from monopilot.integration_logs.models import IntegrationLog
from monopilot.integration_logs.services import log_integration
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

PAGE_SIZE = 50
MAX_UPLOAD = 50 * 1024 * 1024  # as the API's inbox
RAW_DISPLAY_LIMIT = 512 * 1024  # longer interchanges: the first part here, all by download
KNOWN_TYPES = ("ORDERS", "ORDRSP", "DESADV", "INVOIC", "RECADV", "CONTRL")
S = MessageStatus
STATUS_LABELS: dict[str, Any] = {
    S.RECEIVED: gettext_lazy("Received"),
    S.PARSED: gettext_lazy("Parsed"),
    S.VALIDATED: gettext_lazy("Validated"),
    S.PROCESSED: gettext_lazy("Processed"),
    S.PENDING_REVIEW: gettext_lazy("Pending review"),
    S.ERROR: gettext_lazy("Error"),
    S.GENERATED: gettext_lazy("Generated"),
    S.SENT: gettext_lazy("Sent"),
    S.CONFIRMED: gettext_lazy("Confirmed"),
    S.REJECTED: gettext_lazy("Rejected"),
}
BADGES: dict[str, str] = {
    S.PROCESSED: "ok",
    S.SENT: "ok",
    S.CONFIRMED: "ok",
    S.PENDING_REVIEW: "warning",
    S.ERROR: "error",
    S.REJECTED: "error",
}
DOCUMENTS: dict[str, tuple[Any, str, Any]] = {
    "sales_order": (SalesOrder, "order_number", gettext_lazy("Sales order")),
    "shipment": (Shipment, "shipment_number", gettext_lazy("Shipment")),
    "invoice": (Invoice, "invoice_number", gettext_lazy("Invoice")),
    "goods_receipt": (GoodsReceipt, "grn_number", gettext_lazy("Goods receipt")),
}


# --- filters -----------------------------------------------------------------------------
@dataclass
class MessageFilters:
    direction: str = ""
    status: str = ""
    message_type: str = ""
    partner: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    document: str = ""
    errors: list[str] = field(default_factory=list)


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def parse_filters(params: Mapping[str, str]) -> MessageFilters:
    """Query parameters to filters; bad values are dropped and named (never a 500)."""
    f = MessageFilters()
    get = lambda key: (params.get(key) or "").strip()  # noqa: E731
    checks: list[tuple[str, Callable[[str], bool]]] = [
        ("direction", lambda v: v in MessageDirection.values),
        ("status", lambda v: v in MessageStatus.values),
        ("message_type", lambda v: v.isalnum() and len(v) <= 6),
        ("partner", lambda v: _uuid(v) is not None),
        ("document", lambda v: _uuid(v) is not None),
    ]
    for name, valid in checks:
        value = get(name).upper() if name == "message_type" else get(name)
        if value and not valid(value):
            f.errors.append(f"{name}: unknown value {value[:40]!r}")
        elif value:
            setattr(f, name, value)
    for name in ("date_from", "date_to"):
        value = get(name)
        try:
            setattr(f, name, date.fromisoformat(value) if value else None)
        except ValueError:
            f.errors.append(f"{name}: not a date (YYYY-MM-DD): {value[:20]!r}")
    if f.date_from and f.date_to and f.date_from > f.date_to:
        f.errors.append("date_from: must not be after date_to")
        f.date_from, f.date_to = f.date_to, f.date_from
    f.q = get("q")[:70]
    return f


def filtered_messages(org: Organization, f: MessageFilters) -> QuerySet[EdiMessage]:
    qs = selectors.message_list(
        org=org,
        direction=f.direction,
        message_type=f.message_type,
        status=f.status,
        partner_id=_uuid(f.partner),
    )
    tz = timezone.get_current_timezone()  # the organisation's: local days
    if f.date_from:
        qs = qs.filter(created_at__gte=datetime.combine(f.date_from, time.min, tzinfo=tz))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    if f.q:
        qs = qs.filter(
            Q(document_number__icontains=f.q)
            | Q(interchange_ref__icontains=f.q)
            | Q(message_ref=f.q)
            | Q(filename__icontains=f.q)
        )
    if f.document:
        qs = qs.filter(document_id=f.document)
    return qs


# --- rows as the templates show them --------------------------------------------------------
def documents_of(org: Organization, rows: Iterable[EdiMessage]) -> dict[str, dict[str, Any]]:
    """The business documents of `rows` (one query per document type), by document id."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for row in rows:
        if row.document_id and row.document_type:
            wanted.setdefault(row.document_type, set()).add(row.document_id)
    found: dict[str, dict[str, Any]] = {}
    for kind, ids in wanted.items():
        if kind == "edi_message":
            for m in scoped(EdiMessage, org).filter(pk__in=ids).defer("raw"):
                number = f"{m.message_type} {m.interchange_ref}/{m.message_ref}".strip("/ ")
                url = f"/integrations/edi/messages/{m.pk}"
                found[str(m.pk)] = {"label": _("EDI message"), "number": number, "url": url}
            continue
        if kind not in DOCUMENTS:
            continue
        model, number_field, label = DOCUMENTS[kind]
        for obj in scoped(model, org).filter(pk__in=ids):
            found[str(obj.pk)] = {
                "label": label,
                "number": getattr(obj, number_field) or str(obj.pk)[:8],
                "status": _(obj.get_status_display()),
                "status_value": obj.status,
                "url": f"/integrations/edi?document={obj.pk}",
            }
    return found


def item(row: EdiMessage, docs: Mapping[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    doc = docs.get(str(row.document_id)) if row.document_id else None
    if row.document_id and doc is None:
        doc = {"label": row.document_type, "number": str(row.document_id)[:8], "missing": True}
    return {
        "m": row,
        "doc": doc,
        "status_label": STATUS_LABELS.get(row.status, row.status),
        "badge": BADGES.get(row.status, ""),
        **extra,
    }


def items(org: Organization, rows: list[EdiMessage], **extra: Any) -> list[dict[str, Any]]:
    docs = documents_of(org, rows)
    return [item(r, docs, **extra) for r in rows]


# --- list, upload -------------------------------------------------------------------------
@require_GET
@console_view(VIEW)
def message_list(request: HttpRequest) -> HttpResponse:
    org = console(request).org
    filters = parse_filters(request.GET)
    page = Paginator(filtered_messages(org, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    present = selectors.message_list(org=org).order_by().values_list("message_type", flat=True)
    types = sorted({*KNOWN_TYPES, *(t for t in present.distinct() if t)})
    context = {
        "filters": filters,
        "page": page,
        "rows": items(org, list(page.object_list)),
        "partners": selectors.partner_list(org=org).only("id", "name", "gln"),
        "types": types,
        "statuses": [(s, STATUS_LABELS[s]) for s in MessageStatus.values],
        "tab": "messages",
    }
    template = "console/edi/results.html" if is_htmx(request) else "console/edi/list.html"
    return render(request, template, context)


def _audit(ctx: ConsoleContext, action: str, row: EdiMessage | None = None, **data: Any) -> None:
    by = ctx.user.email
    log_integration(
        org=ctx.org,
        integration_type="edi",
        direction=row.direction if row else MessageDirection.INBOUND,
        status="success",
        event_type=f"edi.console.{action}",
        external_system=(row.partner.name if row and row.partner else "")[:100],
        external_id=f"{row.interchange_ref}/{row.message_ref}".strip("/") if row else "",
        request_body={"action": action, "by": by, **data},
        metadata={"by": by, "edi_message_id": str(row.pk) if row else "", **data},
    )


@never_cache
@require_POST
@console_view(MANAGE)
def upload(request: HttpRequest) -> HttpResponse:
    """Store every message of an uploaded file (never fails on content) and show them."""
    ctx = console(request)
    file = request.FILES.get("file")
    if file is None or not file.size:
        messages.error(request, _("Choose a non-empty EDIFACT file to upload."))
        return HttpResponseRedirect("/integrations/edi")
    if file.size > MAX_UPLOAD:
        messages.error(request, _("The file is larger than 50 MB."))
        return HttpResponseRedirect("/integrations/edi")
    name = (file.name or "")[:255]
    rows = services.receive(org=ctx.org, data=file.read(), filename=name)
    ids = [str(r.pk) for r in rows]
    _audit(ctx, "upload", filename=name, size=file.size, edi_message_ids=ids)
    context = {"rows": items(ctx.org, rows), "filename": name, "tab": "messages"}
    return render(request, "console/edi/uploaded.html", context)


# --- detail ------------------------------------------------------------------------------
def _segments(raw: bytes) -> list[RawSegment]:
    """The segments up to the first one the tokenizer refuses (a cut-off display, junk)."""
    found: list[RawSegment] = []
    with contextlib.suppress(EdifactError):
        found.extend(t for t in Tokenizer(raw) if isinstance(t, RawSegment))
    return found


def _decoder(raw: bytes) -> Callable[[bytes], str]:
    try:
        raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"  # UNOA-UNOC: the service characters stay single bytes
    return lambda b: b.decode(encoding, "replace").replace("\x00", "\ufffd")


def _segment_index(segs: list[RawSegment], position: Any, message_ref: str | None) -> int | None:
    """Index in `segs` of a CONTRL position: UNH = 1 inside a message, UNB = 1 outside."""
    if not isinstance(position, int) or position < 1:
        return None
    for i, seg in enumerate(segs):
        head = seg.elements[0][0].decode("latin-1") if seg.elements and seg.elements[0] else ""
        if (message_ref and seg.tag == b"UNH" and head == message_ref) or (
            not message_ref and seg.tag == b"UNB"
        ):
            target = i + position - 1
            return target if target < len(segs) else None
    return None


def raw_view(row: EdiMessage) -> dict[str, Any]:
    """The interchange as segments, one per line, each problem's segment marked."""
    data = bytes(row.raw or b"")
    shown = data[:RAW_DISPLAY_LIMIT]
    text = _decoder(shown)
    segs = _segments(shown)
    findings = [(p, p.get("message_ref")) for p in row.problems if isinstance(p, dict)]
    findings += [(e, row.message_ref or None) for e in row.errors if isinstance(e, dict)]
    marks: dict[int, list[dict[str, Any]]] = {}
    for finding, ref in findings:
        index = _segment_index(segs, finding.get("segment_position"), ref)
        if index is not None:
            finding["anchor"] = f"seg-{index + 1}"
            marks.setdefault(index, []).append(finding)
    if not segs:
        lines = [{"n": 1, "text": text(shown), "marks": []}] if shown else []
    else:
        ends = [s.offset for s in segs[1:]] + [len(shown)]
        lines = [
            {"n": i + 1, "text": text(shown[s.offset : end]).rstrip("\r\n"), "marks": marks.get(i)}
            for i, (s, end) in enumerate(zip(segs, ends, strict=True))
        ]
    return {"lines": lines, "size": len(data), "truncated": len(data) > len(shown)}


def _code_name(code: Any) -> str:
    try:
        return SyntaxErrorCode(int(code)).name.replace("_", " ").lower()
    except (TypeError, ValueError):
        return ""


def related_of(org: Organization, row: EdiMessage) -> list[dict[str, Any]]:
    """Messages tied to this one: the CONTRL exchanged for it, duplicates, siblings of the
    same interchange and other messages about the same business document."""
    base = scoped(EdiMessage, org).select_related("partner").defer("raw").exclude(pk=row.pk)
    found: list[tuple[Any, QuerySet[EdiMessage]]] = []
    if row.related_id:
        found.append((lambda m: _link_label(row, m), base.filter(pk=row.related_id)))
    found.append((lambda m: _link_label(m, row, back=True), base.filter(related_id=row.pk)))
    if row.partner_id and row.interchange_ref:
        partner_rows = base.filter(partner_id=row.partner_id)
        if row.direction == "inbound" and row.message_type != "CONTRL":
            ours = partner_rows.filter(direction="outbound", message_type="CONTRL")
            found.append((_("CONTRL sent"), ours.filter(document_number=row.interchange_ref)))
        if row.direction == "outbound" and row.message_type == "CONTRL" and row.document_number:
            theirs = partner_rows.filter(direction="inbound", interchange_ref=row.document_number)
            found.append((_("Acknowledges"), theirs))
        same = partner_rows.filter(direction=row.direction, interchange_ref=row.interchange_ref)
        found.append((_("Same interchange"), same))
    if row.document_id:
        found.append((_("Same business document"), base.filter(document_id=row.document_id)))
    seen: set[uuid.UUID] = set()
    out: list[dict[str, Any]] = []
    for label, qs in found:
        picked = [m for m in qs.order_by("created_at")[:20] if m.pk not in seen]
        seen.update(m.pk for m in picked)
        docs = documents_of(org, picked)
        out += [item(m, docs, relation=label(m) if callable(label) else label) for m in picked]
    return out


def _link_label(source: EdiMessage, target: EdiMessage, back: bool = False) -> Any:
    """What `source.related = target` means, seen from the page of target (back) or source."""
    if target.message_type == "CONTRL" and source.message_type != "CONTRL":
        return _("Acknowledged by this CONTRL") if back else _("Acknowledged by")
    if source.direction == MessageDirection.INBOUND:
        return _("Duplicate") if back else _("Original message")
    return _("Resent as") if back else _("Resent from")


def history_of(org: Organization, row: EdiMessage) -> list[IntegrationLog]:
    """Every state change of a message wrote a log row naming it: that is its history."""
    rows = scoped(IntegrationLog, org).filter(
        integration_type="edi",
        external_id=f"{row.interchange_ref}/{row.message_ref}".strip("/"),  # indexed
        metadata__edi_message_id=str(row.pk),
    )
    return list(rows.order_by("timestamp", "id")[:100])


def _actions(ctx: ConsoleContext, row: EdiMessage) -> dict[str, bool]:
    manage = ctx.can_manage
    outbound = row.direction == MessageDirection.OUTBOUND
    return {
        "retry": manage and not outbound and row.status == S.PENDING_REVIEW,
        "mark_sent": manage and outbound and row.status == S.GENERATED,
        "resend": manage
        and outbound
        and row.message_type in services.RESENDABLE
        and row.status in (S.GENERATED, S.SENT, S.REJECTED),
    }


@require_GET
@console_view(VIEW)
def message_detail(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    ctx = console(request)
    row = selectors.message_get(org=ctx.org, message_id=message_id)
    raw = raw_view(row)  # before the tables: it adds each finding's anchor
    problems = [
        {**p, "code_name": _code_name(p.get("code"))} for p in row.problems if isinstance(p, dict)
    ]
    current = item(row, documents_of(ctx.org, [row]))
    context = {
        "r": current,
        **current,
        "problems": problems,
        "errors": [e for e in row.errors if isinstance(e, dict)],
        "raw": raw,
        "related": related_of(ctx.org, row),
        "history": history_of(ctx.org, row),
        "actions": _actions(ctx, row),
        "tab": "messages",
    }
    return render(request, "console/edi/detail.html", context)


@require_GET
@console_view(VIEW)
def message_raw(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    row = selectors.message_get(org=console(request).org, message_id=message_id)
    name = row.filename or f"{row.message_type or 'EDI'}_{row.interchange_ref or row.pk}.edi"
    response = HttpResponse(bytes(row.raw or b""), content_type="application/edifact")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- actions -------------------------------------------------------------------------------
def _retry(ctx: ConsoleContext, row: EdiMessage) -> str:
    done = services.retry(message=row)
    if done.status == S.PROCESSED:
        return _("Processed: the message went through its flow.")
    return _("Still pending review: %(n)d problem(s) left. Fix the data and retry.") % {
        "n": len(done.errors)
    }


def _mark_sent(ctx: ConsoleContext, row: EdiMessage) -> str:
    locked = scoped(EdiMessage, ctx.org).select_for_update().get(pk=row.pk)
    services.mark_sent(message=locked)
    return _("Marked as sent.")


def _resend(ctx: ConsoleContext, row: EdiMessage) -> str:
    new = services.resend(message=row)
    return _("Generated again as interchange %(ref)s: new message %(id)s.") % {
        "ref": new.interchange_ref,
        "id": new.pk,
    }


ACTIONS: dict[str, Callable[[ConsoleContext, EdiMessage], str]] = {
    "retry": _retry,
    "mark-sent": _mark_sent,
    "resend": _resend,
}


def _first_error(exc: ValidationError) -> str:
    text = exc.messages[0] if exc.messages else str(exc)
    return text.split(": ", 1)[1] if text.split(": ", 1)[0].isidentifier() else text


@never_cache
@require_POST
@console_view(MANAGE)
def message_action(request: HttpRequest, message_id: uuid.UUID, action: str) -> HttpResponse:
    ctx = console(request)
    row = selectors.message_get(org=ctx.org, message_id=message_id)
    back = HttpResponseRedirect(f"/integrations/edi/messages/{row.pk}")
    run = ACTIONS.get(action)
    if run is None:
        messages.error(request, _("This action is not available for this message."))
        return back
    try:
        with transaction.atomic():
            text = run(ctx, row)
            _audit(ctx, action.replace("-", "_"), row)
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
        return back
    messages.success(request, text)
    return back


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
            _audit(ctx, action, partner_id=str(saved.pk), gln=saved.gln, name=saved.name)
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
