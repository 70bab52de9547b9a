from django.apps import AppConfig


class ApikeysConfig(AppConfig):
    name = "monopilot.apikeys"
    label = "apikeys"
