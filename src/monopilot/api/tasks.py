from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from monopilot.api.services import purge_idempotency_records
from monopilot.core import scheduler


@task()
def purge_idempotency() -> int:
    return purge_idempotency_records()


scheduler.register(
    scheduler.Job(
        name="api.purge_idempotency",
        every=timedelta(hours=1),
        enqueue=lambda: purge_idempotency.enqueue(),
    )
)
