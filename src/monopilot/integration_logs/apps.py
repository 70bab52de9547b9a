from django.apps import AppConfig


class IntegrationLogsConfig(AppConfig):
    name = "monopilot.integration_logs"
    label = "integration_logs"

    def ready(self) -> None:
        from monopilot.integration_logs import tasks  # noqa: F401  (registers the purge job)
