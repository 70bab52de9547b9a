from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "monopilot.console"
    label = "console"
