"""Public services of the EDI app (the API, CLI and console call these)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from monopilot.edi import messages as store
from monopilot.edi.edifact import EdifactError, parse
from monopilot.edi.inbox import process, receive
from monopilot.edi.messages import mark_sent
from monopilot.edi.models import EdiMessage, MessageDirection, MessageStatus
from monopilot.edi.partners import (
    next_control_ref,
    partner_create,
    partner_delete,
    partner_update,
)

__all__ = [
    "mark_sent",
    "next_control_ref",
    "partner_create",
    "partner_delete",
    "partner_update",
    "receive",
    "retry",
]


@transaction.atomic
def retry(*, message: EdiMessage) -> EdiMessage:
    """Run the flow again on a message kept for review (after customers/products were fixed)."""
    row = EdiMessage.objects.select_for_update().get(pk=message.pk)
    if row.direction != MessageDirection.INBOUND or row.status != MessageStatus.PENDING_REVIEW:
        raise ValidationError(
            {
                "status": [
                    f"status: only inbound messages pending review can be retried "
                    f"(this one is {row.direction} {row.status})"
                ]
            }
        )
    if row.partner is None:
        raise ValidationError({"partner": ["partner: the message has no trading partner"]})
    try:
        interchanges = parse(bytes(row.raw))
    except EdifactError as exc:  # stored bytes parsed before; keep the verdict explicit anyway
        store.review(row, [{"message": f"stored interchange cannot be read: {exc}"}])
        return row
    for inter in interchanges:
        for msg in inter.all_messages():
            if inter.control_ref == row.interchange_ref and msg.ref == row.message_ref:
                process(row, msg, row.partner)
                return row
    store.review(row, [{"message": "message not found in the stored interchange"}])
    return row
