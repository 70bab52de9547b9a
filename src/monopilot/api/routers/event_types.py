"""The event catalogue (DECISIONS: each type with a versioned JSON Schema and an example)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from monopilot.api.context import principal
from monopilot.api.errors import not_found
from monopilot.api.schemas import responses
from monopilot.events import catalogue

router = Router(tags=["events"])


class CatalogueEntryOut(Schema):
    name: str
    version: int
    category: str
    description: str
    payload_schema: dict[str, Any]
    example: dict[str, Any]


class CatalogueOut(Schema):
    data: list[CatalogueEntryOut]


def _out(et: catalogue.EventType) -> dict[str, Any]:
    return {
        "name": et.name,
        "version": et.version,
        "category": et.category,
        "description": et.description,
        "payload_schema": et.schema,
        "example": et.example,
    }


@router.get("", response=responses(CatalogueOut), summary="Event catalogue")
def list_event_types(request: HttpRequest) -> dict[str, Any]:
    """Any valid key may read the catalogue: it describes, it does not expose data."""
    principal(request)
    return {"data": [_out(et) for et in catalogue.all_types()]}


@router.get("/{name}", response=responses(CatalogueEntryOut), summary="One event type")
def get_event_type(request: HttpRequest, name: str) -> dict[str, Any]:
    principal(request)
    try:
        return _out(catalogue.get(name))
    except catalogue.UnknownEventType:
        raise not_found("Event type") from None
