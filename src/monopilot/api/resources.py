"""Read endpoints shared by every resource: cursor list, by id, by document number.

Each resource module declares its output schema and calls `read_endpoints`; the module
stays a page long and every list behaves the same (filters, ordering, cursor, 404s).
"""

# No `from __future__ import annotations`: Ninja must see the real `Query[filters]` type.

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema

from monopilot.api.context import ApiPrincipal, principal
from monopilot.api.errors import ApiError, not_found
from monopilot.api.pagination import apply_filters, paginate
from monopilot.api.schemas import ListParams, page_of, responses
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

M = TypeVar("M", bound=Model)


def require_any(request: HttpRequest, *scopes: str) -> ApiPrincipal:
    """The principal if it holds one of `scopes` (write implies read); else 403 naming the first."""
    who = principal(request)
    if not any(who.has_scope(s) for s in scopes):
        raise ApiError(403, "insufficient_scope", f"Insufficient scope: {scopes[0]} required")
    return who


def one(qs: QuerySet[M], what: str, **lookup: Any) -> M:
    """One row of an already tenant-scoped queryset, or the API's 404."""
    row = next(iter(qs.filter(**lookup).order_by()[:1]), None)  # one row, no ORDER BY
    if row is None:
        raise not_found(what)
    return row


def read_endpoints(
    router: Router,
    *,
    name: str,
    what: str,
    out: type[Schema],
    scopes: Sequence[str],
    queryset: Callable[[Organization], QuerySet[Any]],
    number_field: str | None = None,
    filters: type[ListParams] = ListParams,
    extra_filter: Callable[[QuerySet[Any], Any], QuerySet[Any]] | None = None,
    status_field: str | None = "status",
    number_path: str = "by-number",
    number_has_slashes: bool = False,
) -> None:
    """GET "" (cursor list), GET "/{id}", and GET "/by-number/{number}" when numbered."""

    @router.get(
        "",
        response=responses(page_of(out)),
        operation_id=f"list_{name}",
        summary=f"List {what}s",
    )
    def list_view(request: HttpRequest, params: Query[filters]) -> Any:  # type: ignore[valid-type]
        who = require_any(request, *scopes)
        qs = apply_filters(queryset(who.org), params, status_field=status_field)
        if extra_filter is not None:
            qs = extra_filter(qs, params)
        p: Any = params
        page = paginate(qs, cursor=p.cursor, limit=p.limit, ordering=p.ordering)
        return {"data": page.data, "next_cursor": page.next_cursor, "has_more": page.has_more}

    if number_field:

        @router.get(
            f"/{number_path}/{{{'path:' if number_has_slashes else ''}number}}",
            response=responses(out),
            operation_id=f"get_{name}_by_number",
            summary=f"One {what} by its number",
        )
        def by_number(request: HttpRequest, number: str) -> Any:
            who = require_any(request, *scopes)
            return one(queryset(who.org), what, **{number_field: number})

    @router.get("/{id}", response=responses(out), operation_id=f"get_{name}", summary=f"One {what}")
    def by_id(request: HttpRequest, id: UUID) -> Any:
        who = require_any(request, *scopes)
        return one(queryset(who.org), what, pk=id)


def tenant(
    model: type[M], *related: str, prefetch: Sequence[str] = ()
) -> Callable[[Organization], QuerySet[M]]:
    """A queryset factory through the one door (scoping.scoped)."""

    def build(org: Organization) -> QuerySet[M]:
        qs = scoped(model, org)
        if related:
            qs = qs.select_related(*related)
        if prefetch:
            qs = qs.prefetch_related(*prefetch)
        return qs

    return build
