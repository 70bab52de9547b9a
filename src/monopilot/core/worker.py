"""The worker process: runs queued tasks, periodic jobs and long-running worker services.

`monopilot worker` runs it in the foreground; `monopilot serve` (make run) runs it on a
thread beside the web server so the embedded mode needs one process only.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from monopilot.core import scheduler
from monopilot.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A worker service runs on its own thread until the stop event is set (e.g. the outbox
# dispatcher). Apps register them in AppConfig.ready().
WorkerService = Callable[[threading.Event], None]
_services: dict[str, WorkerService] = {}

HEARTBEAT_EVERY = 5.0
SCHEDULER_EVERY = 15.0
SERVICE_STOP_GRACE = 10.0


def register_service(name: str, service: WorkerService) -> None:
    _services[name] = service


class WorkerLoop:
    def __init__(self, *, interval: float = 0.5, worker_id: str | None = None) -> None:
        self.interval = interval
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.stop = threading.Event()
        self._started_at = timezone.now()
        self._threads: list[threading.Thread] = []

    def start_services(self) -> None:
        for name, service in _services.items():
            thread = threading.Thread(
                target=self._run_service, args=(name, service), name=f"svc-{name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _run_service(self, name: str, service: WorkerService) -> None:
        while not self.stop.is_set():
            try:
                service(self.stop)
            except Exception:  # keep the service alive; the error is in the log
                logger.exception("worker service %s crashed; restarting in 1 s", name)
                self.stop.wait(1.0)
            finally:
                close_old_connections()

    def run(self) -> None:
        logger.info("worker %s starting", self.worker_id)
        self.start_services()
        last_beat = last_schedule = 0.0
        while not self.stop.is_set():
            now = time.monotonic()
            if now - last_beat >= HEARTBEAT_EVERY:
                self.heartbeat()
                last_beat = now
            if now - last_schedule >= SCHEDULER_EVERY:
                scheduler.run_due_jobs()
                last_schedule = now
            self.drain_tasks()
            close_old_connections()
            self.stop.wait(self.interval)
        # Let services record what is in flight (e.g. the dispatcher's last outcomes).
        for thread in self._threads:
            thread.join(timeout=SERVICE_STOP_GRACE)
        logger.info("worker %s stopped", self.worker_id)

    def drain_tasks(self) -> None:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        ).run()

    def heartbeat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": self._started_at,
                "seen_at": timezone.now(),
            },
        )
