from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "monopilot.exchange"
    label = "exchange"
    verbose_name = "Data exchange (import and export)"

    def ready(self) -> None:
        from monopilot.exchange import event_types, tasks  # noqa: F401  (registrations)
