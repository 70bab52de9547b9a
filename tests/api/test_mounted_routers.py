"""The webhooks, outbox and exchange routers sit behind the same key gateway as the rest:
no key → 401, wrong scope → 403 with the scope named, right scope → 2xx, and another
tenant's object → 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from monopilot.api.testing import ApiClient
from monopilot.apikeys.models import ApiKey
from monopilot.tenancy.models import Organization
from monopilot.webhooks.services import endpoint_create

MakeKey = Callable[..., tuple[ApiKey, str]]

GUARDED = [
    ("/api/v1/webhooks", "webhook:manage"),
    ("/api/v1/events", "webhook:manage"),
    ("/api/v1/retry-queue", "webhook:manage"),
    ("/api/v1/dead-letters", "webhook:manage"),
    ("/api/v1/exports", "export:run"),
    ("/api/v1/imports", "import:run"),
    ("/api/v1/edi/messages", "edi:exchange"),
    ("/api/v1/edi/partners", "edi:exchange"),
]


@pytest.mark.parametrize(("path", "scope"), GUARDED)
def test_gateway_guards_mounted_routers(
    org: Organization, make_key: MakeKey, path: str, scope: str
) -> None:
    assert ApiClient().get(path).status_code == 401
    _, wrong = make_key(org, ["read:products"])
    refused = ApiClient(wrong).get(path)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == f"Insufficient scope: {scope} required"
    _, right = make_key(org, [scope], rate_limit_tier="premium")
    assert ApiClient(right).get(path).status_code == 200


def test_other_tenants_webhook_is_404(
    org: Organization, other_org: Organization, make_key: MakeKey, settings: Any
) -> None:
    settings.MONOPILOT_ALLOW_PRIVATE_URLS = True
    endpoint, _secret = endpoint_create(
        org=other_org, name="theirs", url="http://127.0.0.1:9/hook", event_types=["order.created"]
    )
    _, key = make_key(org, ["webhook:manage"])
    response = ApiClient(key).get(f"/api/v1/webhooks/{endpoint.id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
