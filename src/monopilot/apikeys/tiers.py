"""Rate-limit tiers of DECISIONS (FR-INT-004).

They are product constants (changing them is a release, not a setting), so they live in
code rather than in a seeded `rate_limit_tiers` table: the limiter reads them with no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Tier(models.TextChoices):
    BASIC = "basic", "Basic"
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


@dataclass(frozen=True)
class TierLimits:
    name: str
    per_minute: int
    per_hour: int
    burst: int  # the most requests served within any one second

    @property
    def label(self) -> str:
        return f"{self.name.title()} ({self.per_minute}/min)"


TIERS: dict[str, TierLimits] = {
    Tier.BASIC: TierLimits("basic", 60, 1_000, 10),
    Tier.STANDARD: TierLimits("standard", 300, 10_000, 50),
    Tier.PREMIUM: TierLimits("premium", 1_000, 50_000, 200),
}


def limits_for(tier: str) -> TierLimits:
    return TIERS.get(tier, TIERS[Tier.BASIC])
