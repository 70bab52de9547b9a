from __future__ import annotations

import uuid

from django.db import models

from monopilot.tenancy.models import Organization


class IdempotencyRecord(models.Model):
    """One POST made with an Idempotency-Key: its fingerprint and the stored answer.

    Kept 24 hours (purge_idempotency_records). Only successful answers are kept; a
    refused request (4xx) frees the key so the client can retry with a corrected body.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    api_key_id = models.UUIDField(null=True, blank=True)
    state = models.CharField(max_length=12, default="processing")  # processing | done
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "api_idempotency_records"
        constraints = [
            models.UniqueConstraint(fields=["org", "key"], name="idempotency_key_once_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}:{self.key}"
