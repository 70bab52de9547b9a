from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """One row per (job, time slot): the unique constraint makes a periodic job run once per
    slot however many workers are polling, on SQLite and PostgreSQL alike."""

    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scheduled_runs"
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_slot")]


class WorkerHeartbeat(models.Model):
    """Workers report here every few seconds; /healthz reads it to tell if one is alive."""

    worker_id = models.CharField(max_length=100, primary_key=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "worker_heartbeats"
