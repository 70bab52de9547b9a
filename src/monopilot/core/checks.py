"""System checks that refuse a dangerous production configuration loudly at start-up."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def production_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.MONOPILOT_EMBEDDED or settings.DEBUG:
        return problems
    if settings.MONOPILOT_ALLOW_PRIVATE_URLS:
        problems.append(
            Error(
                "MONOPILOT_ALLOW_PRIVATE_URLS is on with a production database.",
                hint="Unset it: outbound requests to private addresses are an SSRF risk.",
                id="monopilot.E001",
            )
        )
    if set(settings.ALLOWED_HOSTS) & {"*"}:
        problems.append(
            Error("ALLOWED_HOSTS must not contain '*' in production.", id="monopilot.E002")
        )
    return problems


@register(Tags.security)
def secrets_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.MONOPILOT_EMBEDDED or settings.DEBUG or settings.TESTING:
        return problems
    # Several machines must share these values, so a file generated under var/ is not enough.
    for name in ("SECRET_KEY", "MONOPILOT_KEY_PEPPER", "MONOPILOT_ENCRYPTION_KEY"):
        if len(os.environ.get(name, "")) < 32:
            problems.append(
                Error(
                    f"{name} must be set in the environment (32+ characters) in production.",
                    id="monopilot.E003",
                )
            )
    if not settings.REDIS_URL:
        problems.append(
            Warning(
                "REDIS_URL is not set: API rate limits and webhook endpoint limits "
                "(concurrency, deliveries/s) are counted per process.",
                hint="Set REDIS_URL when running more than one web or worker process.",
                id="monopilot.W001",
            )
        )
    return problems
