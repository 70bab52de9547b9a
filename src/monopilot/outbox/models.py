"""The outbox: one row per message to send, one row per attempt, plus operational alerts.

A message is "in the retry queue" when it is pending after at least one failed attempt and
"in the dead-letter queue" when its status is `dead`. A claimed message is simply a pending
message whose lease has not expired: a worker that dies leaves a lease that runs out, and
the message becomes due again without anybody having to notice the death.
"""

from __future__ import annotations

from django.db import models

from monopilot.core.ids import time_ordered_uuid
from monopilot.tenancy.models import Organization, TenantModel


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    HELD = "held", "Held (target paused)"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead letter"


class RetryPolicy(models.TextChoices):
    EXPONENTIAL = "exponential", "Exponential"
    IMMEDIATE = "immediate", "Immediate"
    MANUAL = "manual", "Manual"


class Message(TenantModel):
    # Time-ordered ids: the webhook-id, the log's correlation id and the attempts' message
    # index all grow at the end of their indexes instead of at a random page.
    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    # The composite indexes below start with org; single-column org/updated_at/seq indexes
    # would only cost every write of the hottest table.
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # No index of its own: listings go by org (`outbox_target`, `outbox_org_status`).
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    kind = models.CharField(max_length=30)  # transport name: webhook, comarch, edi, workflow
    target_id = models.UUIDField()  # e.g. the webhook endpoint
    target_label = models.CharField(max_length=200, blank=True)
    event_id = models.UUIDField(null=True, blank=True, db_index=True)
    event_type = models.CharField(max_length=100, blank=True)
    # The exact bytes every attempt sends, serialised once when the message was created.
    payload = models.BinaryField()
    content_type = models.CharField(max_length=100, default="application/json")
    correlation_id = models.CharField(max_length=64, blank=True)
    # FIFO: messages with the same non-empty key are attempted one at a time, in `seq` order.
    ordering_key = models.CharField(max_length=200, blank=True)
    seq = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    retry_policy = models.CharField(
        max_length=12, choices=RetryPolicy.choices, default=RetryPolicy.EXPONENTIAL
    )
    max_retries = models.PositiveSmallIntegerField(default=7)
    attempts = models.PositiveIntegerField(default=0)  # all attempts ever made
    cycle_attempts = models.PositiveIntegerField(default=0)  # since the last (re)queue
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=40, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)
    dead_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "outbox_messages"
        # Not partial (e.g. `outbox_due` for pending and held only): SQLite uses a partial
        # index only for queries that repeat its condition word for word.
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["ordering_key", "seq"], name="outbox_fifo"),
            models.Index(fields=["org", "kind", "target_id", "-created_at"], name="outbox_target"),
            models.Index(fields=["org", "status", "-created_at"], name="outbox_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.event_type} {self.status}"

    @property
    def message_id(self) -> str:
        """Stable id of this message (webhook-id): identical on every retry and replay."""
        return f"msg_{self.id.hex}"


class Attempt(TenantModel):
    """One try to send a message. Its id is the X-MonoPilot-Delivery-ID that was sent."""

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    # Attempts are only ever read through their message ("outbox_attempt_msg"): no other
    # index is worth its cost on the table written once per delivery.
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attempt_set", db_index=False
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_headers = models.JSONField(default=dict, blank=True)
    response_body = models.TextField(blank=True)  # truncated
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=100, blank=True)
    manual = models.BooleanField(default=False)

    class Meta:
        db_table = "outbox_attempts"
        indexes = [models.Index(fields=["message", "number"], name="outbox_attempt_msg")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.message_id}"


class Alert(TenantModel):
    """An operational alert (endpoint failing, about to be disabled, disabled, DLQ full)."""

    code = models.CharField(max_length=40)
    target_kind = models.CharField(max_length=30, blank=True)
    target_id = models.UUIDField(null=True, blank=True)
    message = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "outbox_alerts"
        indexes = [models.Index(fields=["org", "code", "target_id"], name="outbox_alert_key")]

    def __str__(self) -> str:
        return f"{self.code}: {self.message[:40]}"
