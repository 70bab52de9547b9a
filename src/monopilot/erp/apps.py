from django.apps import AppConfig


class ErpConfig(AppConfig):
    name = "monopilot.erp"
    label = "erp"
