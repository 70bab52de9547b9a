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
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from monopilot.console.access import MANAGE, VIEW, ConsoleContext, console, console_view
from monopilot.console.edi_reads import (
    KNOWN_TYPES,
    STATUS_LABELS,
    S,
    documents_of,
    filtered_messages,
    item,
    items,
    parse_filters,
)
from monopilot.console.htmx import is_htmx
from monopilot.edi import selectors, services
from monopilot.edi.edifact import EdifactError, RawSegment, SyntaxErrorCode, Tokenizer
from monopilot.edi.models import (
    EdiMessage,
    MessageDirection,
    MessageStatus,
)
from monopilot.integration_logs.models import IntegrationLog
from monopilot.integration_logs.services import log_integration
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

PAGE_SIZE = 50
MAX_UPLOAD = 50 * 1024 * 1024  # as the API's inbox
RAW_DISPLAY_LIMIT = 512 * 1024  # longer interchanges: the first part here, all by download


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


def audit(ctx: ConsoleContext, action: str, row: EdiMessage | None = None, **data: Any) -> None:
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
    audit(ctx, "upload", filename=name, size=file.size, edi_message_ids=ids)
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
            audit(ctx, action.replace("-", "_"), row)
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
        return back
    messages.success(request, text)
    return back
