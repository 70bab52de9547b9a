"""Related objects named in write payloads by business code/number or by id.

`"product_type": "FG"`, `"supplier": "SUP-001"`, `"product": "<code>"` or a UUID all
work; the lookup goes through the tenant door, so another organisation's code or id is
simply unknown (422 naming the field), never found.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model

from monopilot.api.errors import ApiError
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

M = TypeVar("M", bound=Model)


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def ref(
    org: Organization, model: type[M], value: Any, *, field: str, by: tuple[str, ...] = ("code",)
) -> M:
    """The object of `org` named by `value` (UUID, or one of the `by` fields)."""
    qs = scoped(model, org)
    text = str(value).strip()
    found = None
    pk = _as_uuid(text)
    if pk is not None:
        found = qs.filter(pk=pk).first()
    for name in by:
        if found is None and text:
            found = qs.filter(**{name: text}).first()
    if found is None:
        label = model._meta.verbose_name
        raise ApiError(
            422,
            "validation_error",
            f"{field}: unknown {label} {text!r}",
            {
                "fields": [
                    {"field": field, "message": f"unknown {label} {text!r}", "type": "unknown"}
                ]
            },
        )
    return found


def opt_ref(
    org: Organization, model: type[M], value: Any, *, field: str, by: tuple[str, ...] = ("code",)
) -> M | None:
    return None if value in (None, "") else ref(org, model, value, field=field, by=by)
