from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from monopilot.tenancy.models import Organization, TenantQuerySet


class Event(models.Model):
    """Something that happened, stored in the same transaction as the change it describes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=100)
    version = models.PositiveSmallIntegerField(default=1)
    occurred_at = models.DateTimeField(db_index=True)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    # What the event is about ("sales_order", id): the natural ordering key for consumers.
    subject_type = models.CharField(max_length=50, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        db_table = "events"
        indexes = [
            models.Index(fields=["org", "-occurred_at"], name="events_org_time"),
            models.Index(fields=["org", "type", "-occurred_at"], name="events_org_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    def envelope(self) -> dict[str, object]:
        """The public wire shape of DECISIONS: {id, type, timestamp, org_id, data}."""
        return {
            "id": str(self.id),
            "type": self.type,
            "timestamp": self.occurred_at.isoformat().replace("+00:00", "Z"),
            "org_id": str(self.org_id),
            "data": self.data,
        }
