from webhooks.helpers import _event_types, allow_private, make_endpoint, receiver  # noqa: F401
