"""Every console URL; the root URLconf includes this module with one line."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from monopilot.console.views import (
    apikeys,
    base,
    dashboard,
    edi,
    edi_partners,
    events,
    logs,
    queues,
    webhooks,
)

urlpatterns = [
    path("healthz", base.healthz, name="healthz"),
    path("", base.home, name="home"),
    path("login/", base.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("integrations/switch-org", base.switch_org, name="console-switch-org"),
    path("integrations/", base.home),
    path("integrations/dashboard", dashboard.dashboard, name="dashboard"),
    path("api/integrations/dashboard", dashboard.dashboard_api, name="console-dashboard-api"),
    path("api/integrations/health", dashboard.health_api, name="console-health-api"),
    # logs, retry queue, dead letters
    path("integrations/logs", logs.log_list, name="console-logs"),
    path("integrations/logs/export.csv", logs.log_export, name="console-logs-export"),
    path("integrations/logs/retry-queue", queues.retry_queue, name="console-retry-queue"),
    path("integrations/logs/retry-queue/action", queues.retry_action, name="console-retry-action"),
    path("integrations/logs/dead-letter-queue", queues.dead_letters, name="console-dlq"),
    path(
        "integrations/logs/dead-letter-queue/action", queues.dead_action, name="console-dlq-action"
    ),
    path(
        "integrations/logs/messages/<uuid:message_id>",
        queues.message_detail,
        name="console-message",
    ),
    path("integrations/logs/<uuid:log_id>", logs.log_detail, name="console-log"),
    # events
    path("integrations/events", events.event_list, name="console-events"),
    path("integrations/events/<str:name>", events.event_detail, name="console-event"),
    # API keys
    path("integrations/api-keys", apikeys.key_list, name="console-keys"),
    path("integrations/api-keys/new", apikeys.key_create, name="console-key-create"),
    path("integrations/api-keys/<uuid:key_id>", apikeys.key_detail, name="console-key"),
    path("integrations/api-keys/<uuid:key_id>/edit", apikeys.key_edit, name="console-key-edit"),
    path(
        "integrations/api-keys/<uuid:key_id>/<str:action>",
        apikeys.key_action,
        name="console-key-action",
    ),
    # webhooks
    path("integrations/webhooks", webhooks.endpoint_list, name="console-webhooks"),
    path("integrations/webhooks/new", webhooks.endpoint_create, name="console-webhook-create"),
    path(
        "integrations/webhooks/<uuid:endpoint_id>", webhooks.endpoint_detail, name="console-webhook"
    ),
    path(
        "integrations/webhooks/<uuid:endpoint_id>/edit",
        webhooks.endpoint_edit,
        name="console-webhook-edit",
    ),
    path(
        "integrations/webhooks/<uuid:endpoint_id>/test",
        webhooks.endpoint_test,
        name="console-webhook-test",
    ),
    path(
        "integrations/webhooks/<uuid:endpoint_id>/deliveries/<uuid:message_id>",
        webhooks.delivery_detail,
        name="console-webhook-delivery",
    ),
    path(
        "integrations/webhooks/<uuid:endpoint_id>/<str:action>",
        webhooks.endpoint_action,
        name="console-webhook-action",
    ),
    # EDI: messages in and out, upload, trading partners
    path("integrations/edi", edi.message_list, name="console-edi"),
    path("integrations/edi/upload", edi.upload, name="console-edi-upload"),
    path(
        "integrations/edi/messages/<uuid:message_id>",
        edi.message_detail,
        name="console-edi-message",
    ),
    path(
        "integrations/edi/messages/<uuid:message_id>/raw",
        edi.message_raw,
        name="console-edi-raw",
    ),
    path(
        "integrations/edi/messages/<uuid:message_id>/<str:action>",
        edi.message_action,
        name="console-edi-action",
    ),
    path("integrations/edi/partners", edi_partners.partner_list, name="console-edi-partners"),
    path(
        "integrations/edi/partners/new",
        edi_partners.partner_create,
        name="console-edi-partner-create",
    ),
    path(
        "integrations/edi/partners/<uuid:partner_id>/edit",
        edi_partners.partner_edit,
        name="console-edi-partner-edit",
    ),
]
