from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "monopilot.outbox"
    label = "outbox"
