"""Outbound webhook endpoints (FR-INT-006). Deliveries are outbox messages (kind "webhook",
target = endpoint), so the retry queue and dead letters are shared with other transports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from monopilot.tenancy.models import TenantModel


class EndpointStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DISABLED = "disabled", "Disabled"


class Ordering(models.TextChoices):
    NONE = "none", "No ordering (fastest)"
    ENDPOINT = "endpoint", "FIFO per endpoint"
    KEY = "key", "FIFO per ordering key (the event's subject, e.g. the order)"


class Endpoint(TenantModel):
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2000)
    event_types = models.JSONField(default=list)
    payload_filter = models.JSONField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=EndpointStatus.choices, default=EndpointStatus.ACTIVE
    )
    disabled_reason = models.CharField(max_length=500, blank=True)
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Custom headers often carry credentials (Authorization): encrypted JSON object.
    headers_encrypted = models.TextField(blank=True)
    retry_policy = models.CharField(max_length=12, default="exponential")
    max_retries = models.PositiveSmallIntegerField(default=7)
    rate_limit = models.PositiveIntegerField(null=True, blank=True)  # deliveries per second
    max_concurrency = models.PositiveSmallIntegerField(default=20)
    ordering = models.CharField(max_length=10, choices=Ordering.choices, default=Ordering.NONE)
    timeout_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_triggered_at = models.DateTimeField(null=True, blank=True)
    total_deliveries = models.PositiveIntegerField(default=0)
    failed_deliveries = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "webhook_endpoints"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "name"],
                condition=Q(deleted_at__isnull=True),
                name="webhook_endpoint_name_unique_per_org",
            )
        ]
        indexes = [models.Index(fields=["org", "status"], name="webhook_ep_org_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def success_rate(self) -> str:
        """ "92% (230/250)" as on the list screen of story 11.4."""
        total = self.total_deliveries
        ok = total - self.failed_deliveries
        percent = round(100 * ok / total) if total else 100
        return f"{percent}% ({ok}/{total})"
