from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "monopilot.api"
    label = "api"

    def ready(self) -> None:
        from monopilot.api import tasks  # noqa: F401  (registers the idempotency purge)
