"""Export and import jobs (integrations data model: export_jobs, import_jobs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from monopilot.tenancy.models import TenantModel


class JobFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    XML = "xml", "XML"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    VALIDATING = "validating", "Validating"
    VALIDATED = "validated", "Validated"
    IMPORTING = "importing", "Importing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ConflictMode(models.TextChoices):
    SKIP = "skip", "Skip existing"
    UPDATE = "update", "Update existing"
    ASK = "ask", "Decide per row"


class ExportJob(TenantModel):
    entity_type = models.CharField(max_length=32)
    format = models.CharField(max_length=8, choices=JobFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    file_path = models.CharField(max_length=500, blank=True)
    file_size_bytes = models.BigIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key_id = models.UUIDField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "export_jobs"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["org", "-created_at"], name="export_jobs_org_created")]

    def __str__(self) -> str:
        return f"export {self.entity_type}.{self.format} {self.status}"


class ImportJob(TenantModel):
    job_type = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8, choices=JobFormat.choices)
    file_path = models.CharField(max_length=500, blank=True)
    file_size = models.BigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    conflict_resolution = models.CharField(
        max_length=8, choices=ConflictMode.choices, default=ConflictMode.SKIP
    )
    valid_only = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    # [{row, column, message}]; row numbers as a spreadsheet shows them (header = row 1).
    validation_errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    # Rows whose key already exists: [{row, key}] (for the per-row conflict screen).
    conflicts = models.JSONField(default=list, blank=True)
    # Per-row decisions of the "ask" mode: {"<row>": "skip" | "update"}.
    decisions = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key_id = models.UUIDField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "import_jobs"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["org", "-created_at"], name="import_jobs_org_created")]

    def __str__(self) -> str:
        return f"import {self.job_type} {self.file_name} {self.status}"
