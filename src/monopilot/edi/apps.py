from django.apps import AppConfig


class EdiConfig(AppConfig):
    name = "monopilot.edi"
    label = "edi"
    verbose_name = "EDI (EDIFACT / EANCOM)"

    def ready(self) -> None:
        from monopilot.edi import event_types  # noqa: F401  (registrations)
        from monopilot.edi.subscriber import on_event
        from monopilot.events.services import subscribe

        subscribe(on_event)
