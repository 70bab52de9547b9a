from django.urls import include, path

urlpatterns = [
    path("", include("monopilot.console.urls")),
    path("api/v1/", include("monopilot.api.urls")),
    path("integrations/", include("monopilot.exchange.urls")),
]
