from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "monopilot.api"
    label = "api"
