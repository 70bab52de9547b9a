from __future__ import annotations

from datetime import time

from django_tasks import task

from monopilot.core import scheduler
from monopilot.integration_logs.services import purge_expired


@task()
def purge_integration_logs() -> int:
    return purge_expired()


scheduler.register(
    scheduler.Job(
        name="integration_logs.purge",
        daily_at=time(2, 0),
        enqueue=lambda: purge_integration_logs.enqueue(),
    )
)
