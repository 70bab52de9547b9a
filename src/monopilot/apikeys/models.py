from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from monopilot.apikeys.keyformat import display_prefix, masked
from monopilot.apikeys.tiers import Tier
from monopilot.tenancy.models import Organization, TenantModel


class KeyStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class Environment(models.TextChoices):
    LIVE = "live", "Live"
    TEST = "test", "Test"


class ApiKey(TenantModel):
    """One API key (FR-INT-002). The key itself is never stored, only its peppered digest."""

    name = models.CharField(max_length=100)
    environment = models.CharField(max_length=4, choices=Environment.choices, default="live")
    key_prefix = models.CharField(max_length=8, unique=True)  # lookup, public
    digest = models.CharField(max_length=64)  # HMAC-SHA256 (hex) under the pepper
    pepper_version = models.PositiveSmallIntegerField(default=1)
    scopes = models.JSONField(default=list)
    # Blank means "the organisation's default tier" (DECISIONS: default per org, override per key).
    rate_limit_tier = models.CharField(max_length=20, choices=Tier.choices, blank=True)
    status = models.CharField(max_length=10, choices=KeyStatus.choices, default="active")
    expires_at = models.DateTimeField(null=True, blank=True)
    allowed_ips = models.JSONField(default=list, blank=True)  # CIDR strings; empty = anywhere
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)
    regenerated_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    request_count = models.BigIntegerField(default=0)
    # Bumped by every change that affects verification; caches compare it (see verify.py).
    stamp = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "integration_api_keys"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "name"],
                condition=~Q(status="revoked"),
                name="apikey_name_unique_per_org",
            ),
        ]
        indexes = [
            models.Index(
                fields=["org", "expires_at"], condition=Q(status="active"), name="apikey_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return display_prefix(self.environment, self.key_prefix)

    @property
    def masked_key(self) -> str:
        return masked(self.environment, self.key_prefix)

    def effective_tier(self, org: Organization | None = None) -> str:
        return self.rate_limit_tier or (org or self.org).default_rate_limit_tier or Tier.BASIC


class ApiKeyUsage(models.Model):
    """Requests per key per day; upserted in batches by usage.py, off the request path."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    count = models.BigIntegerField(default=0)

    class Meta:
        db_table = "integration_api_key_usage"
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="apikey_usage_one_row_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.count}"
