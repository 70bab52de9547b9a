from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "monopilot.tenancy"
    label = "tenancy"
