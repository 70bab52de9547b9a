from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "monopilot.core"
    label = "core"

    def ready(self) -> None:
        from monopilot.core import checks  # noqa: F401  (registers system checks)
