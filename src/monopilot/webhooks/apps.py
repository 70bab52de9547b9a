from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "monopilot.webhooks"
    label = "webhooks"
