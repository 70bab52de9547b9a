from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "monopilot.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from monopilot.events.services import subscribe
        from monopilot.webhooks import transport  # noqa: F401  (registers the transport)
        from monopilot.webhooks.services import fan_out

        subscribe(fan_out)
