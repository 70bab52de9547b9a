from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from monopilot.core.worker import WorkerLoop


class Command(BaseCommand):
    help = "Run a background worker: queued tasks, periodic jobs and the outbox dispatcher."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="poll interval (s)")

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        loop = WorkerLoop(interval=interval)

        def stop(signum: int, frame: FrameType | None) -> None:
            loop.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {loop.worker_id} running (Ctrl+C to stop)")
        loop.run()
