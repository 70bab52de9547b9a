"""Event types of the EDI app (webhook consumers see EDI traffic without polling)."""

from __future__ import annotations

from monopilot.events.catalogue import INT, STR, EventType, obj, register

_NULLABLE = {"type": ["string", "null"]}
_SCHEMA = obj(
    {
        "message_id": STR,
        "direction": STR,
        "message_type": STR,
        "status": STR,
        "interchange_ref": STR,
        "message_ref": STR,
        "document_number": STR,
        "error_count": INT,
    },
    {"partner_id": _NULLABLE, "document_type": STR, "document_id": _NULLABLE},
)
_EXAMPLE = {
    "message_id": "3d7c1f0e-2a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "direction": "inbound",
    "message_type": "ORDERS",
    "status": "processed",
    "partner_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    "interchange_ref": "1001",
    "message_ref": "1",
    "document_number": "PO-77",
    "document_type": "sales_order",
    "document_id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    "error_count": 0,
}

EDI_RECEIVED = register(
    EventType(
        name="edi.message.received",
        category="edi",
        description=(
            "An inbound EDI message was stored and its flow ran: status processed, "
            "pending_review (business data to fix, then retry) or error. Sent again after "
            "each retry."
        ),
        schema=_SCHEMA,
        example=_EXAMPLE,
    )
)
EDI_GENERATED = register(
    EventType(
        name="edi.message.generated",
        category="edi",
        description="An outbound EDI message (ORDRSP, DESADV, INVOIC, CONTRL) was generated.",
        schema=_SCHEMA,
        example={
            **_EXAMPLE,
            "direction": "outbound",
            "message_type": "DESADV",
            "status": "generated",
            "document_type": "shipment",
        },
    )
)
EDI_ACKNOWLEDGED = register(
    EventType(
        name="edi.message.acknowledged",
        category="edi",
        description="The partner's CONTRL confirmed or rejected one of our messages.",
        schema=_SCHEMA,
        example={
            **_EXAMPLE,
            "direction": "outbound",
            "message_type": "INVOIC",
            "status": "rejected",
            "document_type": "invoice",
            "error_count": 1,
        },
    )
)
