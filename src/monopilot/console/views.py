from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from monopilot.console.forms import EmailLoginForm
from monopilot.core.health import service_health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    body = service_health()
    return JsonResponse(body, status=503 if body["status"] == "down" else 200)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect("/integrations/dashboard")
    return HttpResponseRedirect("/login/")


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "console/dashboard.html", {})
