from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "monopilot.events"
    label = "events"
