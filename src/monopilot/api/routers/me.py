"""GET /me: who the key is (organisation, scopes, tier). Needs only a valid key."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from monopilot.api.context import principal
from monopilot.api.schemas import responses

router = Router(tags=["key"])


class MeOut(Schema):
    organization_id: str
    organization: str
    key_prefix: str
    scopes: list[str]
    rate_limit_tier: str
    environment: str


@router.get("", response=responses(MeOut), summary="The calling key")
def me(request: HttpRequest) -> MeOut:
    who = principal(request)
    return MeOut(
        organization_id=str(who.org.pk),
        organization=who.org.name,
        key_prefix=who.key_prefix,
        scopes=sorted(who.scopes),
        rate_limit_tier=str(who.extra.get("tier", "")),
        environment=str(who.extra.get("environment", "")),
    )
