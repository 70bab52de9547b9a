"""The EdiMessage status machine, outbound rows and the integration log entry of each."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from monopilot.edi.edifact import Message, parse
from monopilot.edi.models import (
    EdiMessage,
    MessageDirection,
    MessageStatus,
    TradingPartner,
    without_nul,
)
from monopilot.integration_logs.services import log_integration

S = MessageStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (S.PARSED, S.ERROR),
    S.PARSED: (S.VALIDATED, S.ERROR),
    S.VALIDATED: (S.PROCESSED, S.PENDING_REVIEW, S.ERROR),
    S.PENDING_REVIEW: (S.PROCESSED, S.PENDING_REVIEW, S.ERROR),
    # A CONTRL proves the partner got it, so it may confirm a message not yet marked sent.
    S.GENERATED: (S.SENT, S.CONFIRMED, S.REJECTED),
    S.SENT: (S.CONFIRMED, S.REJECTED),
    S.CONFIRMED: (S.REJECTED,),
    S.REJECTED: (S.CONFIRMED,),
}


def safe(text: str | None, limit: int = 4000) -> str:
    """Received text as storable text: PostgreSQL refuses NUL in text and JSON."""
    return str(without_nul(text or ""))[:limit]


def move(row: EdiMessage, target: str) -> None:
    if target not in TRANSITIONS.get(row.status, ()):
        raise ValidationError(
            {"status": [f"status: message cannot go from {row.status} to {target}"]}
        )
    row.status = target
    row.save()


def review(row: EdiMessage, errors: list[dict[str, Any]]) -> None:
    """Business data not resolvable now: keep the message for a retry after a fix."""
    row.errors = errors
    move(row, S.PENDING_REVIEW)


def processed(row: EdiMessage, *, document_type: str = "", document_id: Any = None) -> None:
    row.errors = []
    row.document_type = document_type
    row.document_id = document_id
    move(row, S.PROCESSED)


def outbound(
    *,
    partner: TradingPartner,
    message_type: str,
    data: bytes,
    interchange_ref: str,
    message_ref: str,
    document_number: str = "",
    document_type: str = "",
    document_id: Any = None,
    message_version: str = "",
    related: EdiMessage | None = None,
) -> EdiMessage:
    row = EdiMessage.objects.create(
        org=partner.org,
        partner=partner,
        direction=MessageDirection.OUTBOUND,
        message_type=message_type,
        message_version=message_version,
        status=S.GENERATED,
        filename=f"{message_type}_{interchange_ref}_{timezone.localdate():%Y%m%d}.edi",
        sender_id=partner.our_gln,
        recipient_id=partner.interchange_id,
        interchange_ref=interchange_ref,
        message_ref=message_ref,
        document_number=document_number[:70],
        document_type=document_type,
        document_id=document_id,
        is_test=partner.test_indicator,
        raw=data,
        related=related,
    )
    log(row)
    return row


def mark_sent(*, message: EdiMessage) -> EdiMessage:
    """Downloaded or handed to a transport."""
    move(message, S.SENT)
    log(message, event=f"edi.{message.message_type.lower()}.sent")
    return message


def announce(row: EdiMessage) -> None:
    """Publish the EDI event of this state (none for `sent`)."""
    from monopilot.events.services import publish

    if row.direction == MessageDirection.INBOUND:
        name = "edi.message.received"
    elif row.status == S.GENERATED:
        name = "edi.message.generated"
    elif row.status in (S.CONFIRMED, S.REJECTED):
        name = "edi.message.acknowledged"
    else:
        return
    publish(org=row.org, type=name, subject=("edi_message", row.id), data=payload(row))


def payload(row: EdiMessage) -> dict[str, Any]:
    return {
        "message_id": str(row.id),
        "direction": row.direction,
        "message_type": row.message_type,
        "status": row.status,
        "partner_id": str(row.partner_id) if row.partner_id else None,
        "interchange_ref": row.interchange_ref,
        "message_ref": row.message_ref,
        "document_number": row.document_number,
        "document_type": row.document_type,
        "document_id": str(row.document_id) if row.document_id else None,
        "error_count": len(row.errors)
        + sum(1 for p in row.problems if isinstance(p, dict) and p.get("severity") == "error"),
    }


def log(row: EdiMessage, *, error: str = "", event: str = "") -> None:
    failed = row.status in (S.ERROR, S.REJECTED)
    warned = row.status == S.PENDING_REVIEW
    log_integration(
        org=row.org_id,
        integration_type="edi",
        direction=row.direction,
        status="error" if failed else "warning" if warned else "success",
        event_type=event or f"edi.{(row.message_type or 'unknown').lower()}.{row.status}",
        external_system=row.partner.name if row.partner_id and row.partner else row.sender_id,
        external_id=f"{row.interchange_ref}/{row.message_ref}".strip("/"),
        error_message=error,
        request_body={"filename": row.filename, "size": len(bytes(row.raw or b""))},
        metadata={
            "edi_message_id": str(row.id),
            "message_type": row.message_type,
            "status": row.status,
            "document_number": row.document_number,
        },
    )
    announce(row)


def stored_message(row: EdiMessage) -> Message | None:
    """The message `row` stands for, re-read from the interchange bytes it travelled in
    (found by interchange and message reference); None when it is not in there.
    Raises `EdifactError` when the stored bytes cannot be read."""
    for inter in parse(bytes(row.raw)):
        if inter.control_ref != row.interchange_ref:
            continue
        for msg in inter.all_messages():
            if msg.ref == row.message_ref:
                return msg
    return None
