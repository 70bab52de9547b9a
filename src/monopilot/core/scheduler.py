"""Periodic jobs for the worker: each job runs once per slot across all worker processes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from monopilot.core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    enqueue: Callable[[], object]
    every: timedelta | None = None
    daily_at: time | None = None  # UTC

    def slot(self, now: datetime) -> str | None:
        """The current slot key, or None when the job is not due yet in this period."""
        if self.daily_at is not None:
            if now.time() < self.daily_at:
                return None
            return now.date().isoformat()
        assert self.every is not None
        seconds = int(self.every.total_seconds())
        return str(int(now.timestamp()) // seconds)


_jobs: dict[str, Job] = {}


def register(job: Job) -> None:
    _jobs[job.name] = job


def jobs() -> list[Job]:
    return list(_jobs.values())


def run_due_jobs(*, now: datetime | None = None) -> list[str]:
    """Enqueue every job whose slot has not run yet; returns the names enqueued."""
    now = now or timezone.now()
    started: list[str] = []
    for job in _jobs.values():
        slot = job.slot(now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot)
                transaction.on_commit(job.enqueue)
        except IntegrityError:
            continue  # another worker took this slot
        started.append(job.name)
        logger.info("scheduled job %s enqueued for slot %s", job.name, slot)
    return started
