"""Event types of the exchange app: one summary event per import and per export."""

from __future__ import annotations

from monopilot.events import catalogue
from monopilot.events.catalogue import INT, STR, EventType, obj, register

IMPORT_COMPLETED = register(
    EventType(
        name="import.completed",
        category="exchange",
        description=(
            "A bulk import finished. Sent once per import so that webhook consumers can "
            "react to the batch instead of counting per-row product/bom events."
        ),
        schema=obj(
            {
                "import_id": STR,
                "entity_type": STR,
                "status": STR,
                "created": INT,
                "updated": INT,
                "skipped": INT,
                "failed": INT,
            },
            {"file_name": STR, "total_rows": INT},
        ),
        example={
            "import_id": "5b0c8b52-5c1e-4d43-9d0e-8f6a2f0f4a11",
            "entity_type": "products",
            "status": "completed",
            "file_name": "products.csv",
            "total_rows": 120,
            "created": 100,
            "updated": 15,
            "skipped": 5,
            "failed": 0,
        },
    )
)

EXPORT_COMPLETED = register(
    EventType(
        name="export.completed",
        category="exchange",
        description="A data export finished and its file can be downloaded for 24 hours.",
        schema=obj(
            {"export_id": STR, "entity_type": STR, "format": STR, "total_rows": INT},
            {"file_name": STR, "expires_at": {"type": ["string", "null"]}},
        ),
        example={
            "export_id": "0f5b7c1a-7f0e-4b1e-9d7c-2a9f3c4e5d61",
            "entity_type": "products",
            "format": "csv",
            "total_rows": 2500,
            "file_name": "products_2026-11-25.csv",
            "expires_at": "2026-11-26T10:00:00Z",
        },
    )
)


# The stand-in registers bom.created/activated but not an in-place change of a version's
# items, which an import in "update" mode makes; registered here unless the erp has it.
if "bom.updated" not in catalogue.names():
    _bom = catalogue.get("bom.created")
    register(
        EventType(
            name="bom.updated",
            category=_bom.category,
            schema=_bom.schema,
            example=_bom.example,
            description="The items of a BOM version were replaced (import in update mode).",
        )
    )
