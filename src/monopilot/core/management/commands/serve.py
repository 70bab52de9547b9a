from __future__ import annotations

import os
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from monopilot.core.worker import WorkerLoop


class Command(BaseCommand):
    help = "Serve the console, the API and an in-process worker (the embedded mode of make run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="web only")

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        from waitress import serve

        from monopilot.wsgi import application

        if not options["no_worker"]:
            loop = WorkerLoop()
            threading.Thread(target=loop.run, name="worker", daemon=True).start()
        url = f"http://{host}:{port}"
        self.stdout.write(
            self.style.SUCCESS(f"MonoPilot Integrations on {url}") + f"\n  console   {url}/"
            f"\n  API docs  {url}/api/v1/docs"
            f"\n  health    {url}/healthz"
            f"\n  demo logins (password '{settings.MONOPILOT_DEMO_PASSWORD}'):"
            "\n    admin@demo.local (owner), it_manager@demo.local, viewer@demo.local"
            "\n  Ctrl+C stops."
        )
        serve(application, host=host, port=port, threads=threads, ident="monopilot")
