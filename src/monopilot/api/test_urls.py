"""URLconf with only the API, so API tests do not depend on the console's URLs."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("monopilot.api.urls"))]
