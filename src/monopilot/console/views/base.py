from __future__ import annotations

from typing import cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from monopilot.console.access import SESSION_ORG, memberships_of
from monopilot.console.forms import EmailLoginForm
from monopilot.core.health import service_health
from monopilot.tenancy.models import User

DASHBOARD = "/integrations/dashboard"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    body = service_health()
    return JsonResponse(body, status=503 if body["status"] == "down" else 200)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(DASHBOARD)
    return HttpResponseRedirect("/login/")


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True


def safe_next(request: HttpRequest, fallback: str = DASHBOARD) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else fallback


@require_POST
@login_required
def switch_org(request: HttpRequest) -> HttpResponse:
    """Any member may switch to another of their organisations; others ids are ignored."""
    wanted = request.POST.get("org", "")
    ids = {str(m.org_id) for m in memberships_of(cast(User, request.user))}
    if wanted in ids:
        request.session[SESSION_ORG] = wanted
    return HttpResponseRedirect(safe_next(request))
