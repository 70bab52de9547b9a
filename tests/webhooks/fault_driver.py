"""Runs in a subprocess of the fault test, against the same database as the workers.

python fault_driver.py setup URL        -> creates org + 2 endpoints
python fault_driver.py publish N        -> publishes N events (10 per transaction)
python fault_driver.py report           -> JSON: message ids and statuses
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopilot.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from monopilot.events import catalogue  # noqa: E402
from monopilot.events.services import publish  # noqa: E402
from monopilot.outbox.models import Message  # noqa: E402
from monopilot.tenancy.models import Organization  # noqa: E402
from monopilot.webhooks import services  # noqa: E402

TYPE = "whtest.created"


def register() -> None:
    if TYPE not in catalogue.names():
        catalogue.register(
            catalogue.EventType(
                name=TYPE,
                description="fault test",
                schema=catalogue.obj({"number": catalogue.STR}),
                example={"number": "1"},
            )
        )


def main() -> None:
    register()
    command = sys.argv[1]
    if command == "setup":
        org = Organization.objects.create(name="Fault", slug="fault")
        for name in ("a", "b"):
            services.endpoint_create(
                org=org,
                name=name,
                url=f"{sys.argv[2]}/{name}",
                event_types=[TYPE],
                retry_policy="immediate",
                max_retries=10,
            )
    elif command == "publish":
        org = Organization.objects.get(slug="fault")
        total = int(sys.argv[2])
        for start in range(0, total, 10):
            with transaction.atomic():
                for n in range(start, min(start + 10, total)):
                    publish(org=org, type=TYPE, data={"number": str(n)})
    elif command == "report":
        rows = Message.objects.values_list("id", "status", "attempts", "event_id")
        print(
            json.dumps(
                [
                    {"webhook_id": f"msg_{i.hex}", "status": s, "attempts": a, "event": str(e)}
                    for i, s, a, e in rows
                ]
            )
        )


if __name__ == "__main__":
    main()
