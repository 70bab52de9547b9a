"""The event catalogue: every event type with its version, description, schema and example.

Apps register their own types (EDI, imports, deliveries) at import time through
`register()`; `publish()` refuses a type that is not in the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jsonschema import Draft202012Validator


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    schema: dict[str, Any]
    example: dict[str, Any]
    version: int = 1
    category: str = "general"
    aliases: tuple[str, ...] = field(default=())

    @cached_property
    def validator(self) -> Draft202012Validator:
        return Draft202012Validator(self.schema)

    def errors(self, data: dict[str, Any]) -> list[str]:
        return [
            f"{'/'.join(str(p) for p in err.absolute_path) or '(root)'}: {err.message}"
            for err in self.validator.iter_errors(data)
        ]


class UnknownEventType(LookupError):
    pass


class InvalidEventData(ValueError):
    pass


_CATALOGUE: dict[str, EventType] = {}


def register(event_type: EventType) -> EventType:
    if event_type.name in _CATALOGUE and _CATALOGUE[event_type.name] != event_type:
        raise ValueError(f"event type {event_type.name} registered twice")
    _CATALOGUE[event_type.name] = event_type
    return event_type


def get(name: str) -> EventType:
    try:
        return _CATALOGUE[name]
    except KeyError:
        raise UnknownEventType(f"unknown event type {name!r}") from None


def all_types() -> list[EventType]:
    return sorted(_CATALOGUE.values(), key=lambda et: et.name)


def names() -> list[str]:
    return sorted(_CATALOGUE)


# Schema helpers: payloads are flat-ish objects whose money and quantities are decimal
# strings (never floats) and whose times are ISO 8601 strings.
STR: dict[str, Any] = {"type": "string"}
NULLABLE_STR: dict[str, Any] = {"type": ["string", "null"]}
DECIMAL: dict[str, Any] = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
DATETIME: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}
DATE: dict[str, Any] = {"type": ["string", "null"], "format": "date"}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "additionalProperties": True,
    }


def array_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}
