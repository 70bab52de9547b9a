"""/api/v1/edi (scope edi:exchange): upload to the inbox, read messages and raw bytes,
retry, resend, mark sent, and trading partners. Thin: parse, call a service/selector, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from monopilot.api.context import require_scope
from monopilot.api.errors import ApiError, not_found
from monopilot.edi import selectors
from monopilot.edi.models import EdiMessage, TradingPartner
from monopilot.edi.partners import partner_create, partner_delete, partner_update
from monopilot.edi.services import mark_sent, receive, resend, retry
from monopilot.erp.models import Customer, Supplier
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

router = Router(tags=["edi"])
SCOPE = "edi:exchange"
MAX_UPLOAD = 50 * 1024 * 1024
T = TypeVar("T")


class PartnerIn(Schema):
    name: str | None = None
    gln: str | None = None
    our_gln: str | None = None
    interchange_id: str | None = None
    interchange_qualifier: str | None = None
    customer_id: UUID | None = None
    supplier_id: UUID | None = None
    edi_enabled: bool | None = None
    syntax_id: str | None = None
    syntax_version: int | None = None
    directory: str | None = None
    test_indicator: bool | None = None
    send_contrl: bool | None = None


def _org(request: HttpRequest) -> Organization:
    return require_scope(request, SCOPE).org


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except ValidationError as exc:
        from monopilot.api.main import validation_from_django

        raise validation_from_django(exc) from None
    except Http404:
        raise not_found() from None


def message_out(row: EdiMessage, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(row.id),
        "partner_id": str(row.partner_id) if row.partner_id else None,
        "direction": row.direction,
        "message_type": row.message_type,
        "message_version": row.message_version,
        "status": row.status,
        "filename": row.filename,
        "sender_id": row.sender_id,
        "recipient_id": row.recipient_id,
        "interchange_ref": row.interchange_ref,
        "message_ref": row.message_ref,
        "document_number": row.document_number,
        "document_type": row.document_type,
        "document_id": str(row.document_id) if row.document_id else None,
        "related_id": str(row.related_id) if row.related_id else None,
        "is_test": row.is_test,
        "created_at": row.created_at.isoformat(),
        "processed_at": row.processed_at.isoformat() if row.processed_at else None,
        "error_count": len(row.errors)
        + sum(1 for p in row.problems if p.get("severity") == "error"),
    }
    if detail:
        out["problems"] = row.problems
        out["errors"] = row.errors
        out["raw_url"] = f"/api/v1/edi/messages/{row.id}/raw"
    return out


def partner_out(p: TradingPartner) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "name": p.name,
        "gln": p.gln,
        "our_gln": p.our_gln,
        "interchange_id": p.interchange_id,
        "interchange_qualifier": p.interchange_qualifier,
        "customer_id": str(p.customer_id) if p.customer_id else None,
        "supplier_id": str(p.supplier_id) if p.supplier_id else None,
        "edi_enabled": p.edi_enabled,
        "syntax_id": p.syntax_id,
        "syntax_version": p.syntax_version,
        "directory": p.directory,
        "control_counter": p.control_counter,
        "test_indicator": p.test_indicator,
        "send_contrl": p.send_contrl,
    }


@router.post(
    "/edi/inbox",
    response={201: dict[str, Any]},
    summary="Upload an EDIFACT file: every message is stored",
)
def inbox_upload(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    org = _org(request)
    if (file.size or 0) > MAX_UPLOAD:
        raise ApiError(413, "too_large", f"file is larger than {MAX_UPLOAD} bytes")
    rows = receive(org=org, data=file.read(), filename=file.name or "")
    return Status(201, {"messages": [message_out(r, detail=True) for r in rows]})


@router.get("/edi/messages", summary="EDI messages, newest first")
def messages_list(
    request: HttpRequest,
    direction: str = "",
    message_type: str = "",
    status: str = "",
    partner_id: UUID | None = None,
    document_number: str = "",
    since: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    org = _org(request)
    rows = selectors.message_list(
        org=org,
        direction=direction,
        message_type=message_type,
        status=status,
        partner_id=partner_id,
        document_number=document_number,
        since=since,
    )
    limit = max(1, min(limit, 500))
    page = rows[max(offset, 0) : max(offset, 0) + limit]
    return {"count": rows.count(), "results": [message_out(r) for r in page]}


def _message(request: HttpRequest, message_id: UUID) -> EdiMessage:
    org = _org(request)
    return _call(lambda: selectors.message_get(org=org, message_id=message_id))


@router.get("/edi/messages/{message_id}", summary="One message with its problems")
def message_detail(request: HttpRequest, message_id: UUID) -> dict[str, Any]:
    return message_out(_message(request, message_id), detail=True)


@router.get("/edi/messages/{message_id}/raw", summary="The interchange bytes as received/sent")
def message_raw(request: HttpRequest, message_id: UUID) -> HttpResponse:
    row = _message(request, message_id)
    response = HttpResponse(bytes(row.raw), content_type="application/edifact")
    name = row.filename or f"{row.message_type or 'EDI'}_{row.interchange_ref or row.id}.edi"
    response["Content-Disposition"] = f'attachment; filename="{name.replace(chr(34), "")}"'
    return response


@router.post("/edi/messages/{message_id}/retry", summary="Process a message again after a fix")
def message_retry(request: HttpRequest, message_id: UUID) -> dict[str, Any]:
    row = _message(request, message_id)
    return message_out(_call(lambda: retry(message=row)), detail=True)


@router.post(
    "/edi/messages/{message_id}/resend",
    response={201: dict[str, Any]},
    summary="Send an outbound ORDRSP/DESADV/INVOIC again in a new interchange",
)
def message_resend(request: HttpRequest, message_id: UUID) -> Any:
    row = _message(request, message_id)
    try:
        new = resend(message=row)
    except ValidationError as exc:
        # Not a bad field but the wrong kind of message (inbound, CONTRL, partner off).
        raise ApiError(409, "cannot_resend", " ".join(exc.messages)) from None
    return Status(201, message_out(new, detail=True))


@router.post("/edi/messages/{message_id}/sent", summary="Mark an outbound message as sent")
def message_sent(request: HttpRequest, message_id: UUID) -> dict[str, Any]:
    row = _message(request, message_id)
    return message_out(_call(lambda: mark_sent(message=row)), detail=True)


@router.get("/edi/partners", summary="Trading partners")
def partners_list(request: HttpRequest) -> dict[str, Any]:
    org = _org(request)
    return {"results": [partner_out(p) for p in selectors.partner_list(org=org)]}


def _values(org: Organization, payload: PartnerIn) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True)
    for key, model in (("customer_id", Customer), ("supplier_id", Supplier)):
        if key in values:
            ref = values.pop(key)
            obj = scoped(model, org).filter(pk=ref).first() if ref else None
            if ref and obj is None:
                raise ApiError(
                    422,
                    "validation_error",
                    f"{key}: not found",
                    {"fields": [{"field": key, "message": "not found"}]},
                )
            values[key.removesuffix("_id")] = obj
    return values


@router.post("/edi/partners", response={201: dict[str, Any]}, summary="Create a trading partner")
def partners_create(request: HttpRequest, payload: PartnerIn) -> Any:
    org = _org(request)
    values = _values(org, payload)
    for required in ("name", "gln", "our_gln"):
        if not values.get(required):
            raise ApiError(
                422,
                "validation_error",
                f"{required}: is required",
                {"fields": [{"field": required, "message": "is required"}]},
            )
    partner = _call(lambda: partner_create(org=org, **values))
    return Status(201, partner_out(partner))


def _partner(request: HttpRequest, partner_id: UUID) -> TradingPartner:
    org = _org(request)
    return _call(lambda: selectors.partner_get(org=org, partner_id=partner_id))


@router.get("/edi/partners/{partner_id}", summary="One trading partner")
def partners_detail(request: HttpRequest, partner_id: UUID) -> dict[str, Any]:
    return partner_out(_partner(request, partner_id))


@router.patch("/edi/partners/{partner_id}", summary="Change a trading partner")
def partners_update(request: HttpRequest, partner_id: UUID, payload: PartnerIn) -> dict[str, Any]:
    partner = _partner(request, partner_id)
    values = _values(partner.org, payload)
    return partner_out(_call(lambda: partner_update(partner=partner, **values)))


@router.delete(
    "/edi/partners/{partner_id}", response={204: None}, summary="Delete a partner without messages"
)
def partners_delete(request: HttpRequest, partner_id: UUID) -> Any:
    partner = _partner(request, partner_id)
    _call(lambda: partner_delete(partner=partner))
    return Status(204, None)
