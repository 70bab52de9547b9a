from django.apps import AppConfig


class ErpConfig(AppConfig):
    name = "monopilot.erp"
    label = "erp"
    verbose_name = "Upstream stand-in (ERP)"

    def ready(self) -> None:
        from monopilot.erp.event_types import register_all

        register_all()
