from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from monopilot.core.ids import time_ordered_uuid
from monopilot.tenancy.models import Organization


class LogType(models.TextChoices):
    API = "api", "API"
    WEBHOOK = "webhook", "Webhook"
    EDI = "edi", "EDI"
    COMARCH = "comarch", "Comarch Optima"
    IMPORT = "import", "Import"
    EXPORT = "export", "Export"
    PORTAL = "portal", "Portal"
    WORKFLOW = "workflow", "Workflow"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class LogStatus(models.TextChoices):
    SUCCESS = "success", "Success"
    WARNING = "warning", "Warning"
    ERROR = "error", "Error"


class AppendOnlyViolation(Exception):
    """Raised when code tries to change or delete an integration log row."""

    message = "Updates not allowed on integration_logs"


class IntegrationLogQuerySet(models.QuerySet["IntegrationLog"]):
    def for_org(self, org: Organization) -> IntegrationLogQuerySet:
        return self.filter(org=org)

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyViolation(AppendOnlyViolation.message)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation("Deletes not allowed on integration_logs (retention purge only)")


class IntegrationLog(models.Model):
    """The append-only record of everything that crossed the boundary (FR-INT-005)."""

    # Time-ordered ids and no org-only index (every composite index starts with org): the
    # log is written for every delivery, so each index costs the dispatcher.
    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    org = models.ForeignKey(
        Organization, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    timestamp = models.DateTimeField()
    integration_type = models.CharField(max_length=20, choices=LogType.choices)
    event_type = models.CharField(max_length=100, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    status = models.CharField(max_length=10, choices=LogStatus.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    error_message = models.TextField(blank=True)
    # References are plain ids, not foreign keys: a log row must outlive what it refers to.
    api_key_id = models.UUIDField(null=True, blank=True)
    webhook_id = models.UUIDField(null=True, blank=True)
    external_system = models.CharField(max_length=100, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)  # indexed below
    retry_count = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = IntegrationLogQuerySet.as_manager()

    class Meta:
        db_table = "integration_logs"
        indexes = [
            models.Index(fields=["org", "-timestamp"], name="ilog_org_ts"),
            models.Index(fields=["org", "status", "-timestamp"], name="ilog_org_status_ts"),
            models.Index(fields=["org", "integration_type", "-timestamp"], name="ilog_org_type_ts"),
            models.Index(fields=["org", "external_system", "-timestamp"], name="ilog_org_sys_ts"),
            models.Index(fields=["org", "external_id"], name="ilog_org_extid"),
            # Looked up by equality only: no second `varchar_pattern_ops` index for LIKE,
            # which `db_index=True` would add on PostgreSQL.
            models.Index(fields=["correlation_id"], name="ilog_correlation"),
        ]

    def __str__(self) -> str:
        return f"{self.integration_type} {self.event_type} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyViolation(AppendOnlyViolation.message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation("Deletes not allowed on integration_logs (retention purge only)")


class PurgeGate(models.Model):
    """One row; the database refuses deletes of log rows unless the purge opened the gate.

    The purge opens and closes the gate inside its own transaction, so no other connection
    ever sees it open. This works the same on SQLite and PostgreSQL triggers.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    is_open = models.BooleanField(default=False)

    class Meta:
        db_table = "integration_log_purge_gate"
