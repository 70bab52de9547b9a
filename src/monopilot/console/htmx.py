"""NetBox-style htmx support: one view answers with the full page or just a partial."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """A partial request from htmx (not a boosted full navigation)."""
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )
