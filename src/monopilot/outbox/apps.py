from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "monopilot.outbox"
    label = "outbox"

    def ready(self) -> None:
        from monopilot.core.worker import register_service
        from monopilot.outbox import tasks  # noqa: F401  (registers the retention job)
        from monopilot.outbox.dispatcher import run_service

        register_service("outbox-dispatcher", run_service)
