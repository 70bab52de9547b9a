"""Display labels of choices owned by other apps, marked here so the console can translate
them (`{% translate obj.get_status_display %}`) without touching those apps' models."""

from django.utils.translation import gettext_noop

LABELS = (
    # integration log
    gettext_noop("Success"), gettext_noop("Warning"), gettext_noop("Error"),
    gettext_noop("Inbound"), gettext_noop("Outbound"),
    # API keys
    gettext_noop("Active"), gettext_noop("Suspended"), gettext_noop("Revoked"),
    gettext_noop("Live"), gettext_noop("Test"),
    # webhook endpoints and outbox messages
    gettext_noop("Paused"), gettext_noop("Disabled"), gettext_noop("Pending"),
    gettext_noop("Held (target paused)"), gettext_noop("Delivered"), gettext_noop("Dead letter"),
    gettext_noop("Exponential"), gettext_noop("Immediate"), gettext_noop("Manual"),
    gettext_noop("No ordering (fastest)"), gettext_noop("FIFO per endpoint"),
    gettext_noop("FIFO per ordering key (the event's subject, e.g. the order)"),
    # roles (tenancy.roles.Role labels)
    gettext_noop("Owner"), gettext_noop("Administrator"), gettext_noop("Production manager"),
    gettext_noop("Quality manager"), gettext_noop("Warehouse manager"),
    gettext_noop("Production operator"), gettext_noop("Quality inspector"),
    gettext_noop("Warehouse operator"), gettext_noop("Planner"), gettext_noop("Viewer"),
    gettext_noop("IT manager"), gettext_noop("Accountant"),
)  # fmt: skip
