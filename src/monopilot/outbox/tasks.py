from __future__ import annotations

from datetime import time

from django_tasks import task

from monopilot.core import scheduler
from monopilot.outbox.services import purge_expired


@task()
def purge_outbox() -> int:
    """Dead letters and delivered messages older than 30 days (FR-INT-006/021)."""
    return purge_expired()


scheduler.register(
    scheduler.Job(name="outbox.purge", daily_at=time(2, 30), enqueue=lambda: purge_outbox.enqueue())
)
