"""The console's permission gate: one decorator every screen goes through.

Order of checks (each answers with a page a person can act on, never a bare error):
1. signed in, else the login page;
2. a member of the current organisation (kept in the session, switchable);
3. the organisation has the Integrations module, else the upsell page (402);
4. the role holds the screen's capability, else a friendly refusal (403);
5. writes (POST/PUT/PATCH/DELETE) additionally need `integrations.manage` — so an
   it_manager can read every screen but every edit is refused on the server side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from monopilot.console.htmx import is_htmx
from monopilot.tenancy.models import Membership, Organization, User
from monopilot.tenancy.roles import Role, has_capability
from monopilot.tenancy.services import integrations_enabled

SESSION_ORG = "console_org_id"
VIEW = "integrations.view"
MANAGE = "integrations.manage"
LOGS = "integrations.logs"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

F = TypeVar("F", bound=Callable[..., HttpResponseBase])


@dataclass
class ConsoleContext:
    """What a console view knows about who is asking, set on `request.console`."""

    user: User
    org: Organization
    role: str
    memberships: list[Membership] = field(default_factory=list)

    @property
    def can_manage(self) -> bool:
        return has_capability(self.role, MANAGE)

    @property
    def can_view_logs(self) -> bool:
        return has_capability(self.role, LOGS)

    @property
    def can_view(self) -> bool:
        return has_capability(self.role, VIEW)

    @property
    def has_several_orgs(self) -> bool:
        return len(self.memberships) > 1


def memberships_of(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, is_active=True, org__is_active=True)
        .select_related("org")
        .order_by("org__name")
    )


def resolve_context(request: HttpRequest) -> ConsoleContext | None:
    """The current organisation: the one in the session if still a membership, else the first."""
    user = cast(User, request.user)
    memberships = memberships_of(user)
    if not memberships:
        return None
    wanted = str(request.session.get(SESSION_ORG, ""))
    current = next((m for m in memberships if str(m.org_id) == wanted), memberships[0])
    if wanted != str(current.org_id):  # write only on change: no session save per request
        request.session[SESSION_ORG] = str(current.org_id)
    return ConsoleContext(user=user, org=current.org, role=current.role, memberships=memberships)


def console(request: HttpRequest) -> ConsoleContext:
    """The context the gate attached (views only run behind the gate)."""
    return cast(ConsoleContext, request.console)  # type: ignore[attr-defined]


def _back_url(request: HttpRequest) -> str:
    """Where "Go back" leads: the referring console page, never another site or itself."""
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    path = urlsplit(referer).path
    return referer if safe and path not in (request.path, "/login/") else ""


def refusal(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    context = {"message": message, "back_url": _back_url(request)}
    return render(request, "console/refused.html", context, status=status)


def _refusal_text(ctx: ConsoleContext, writing: bool) -> str:
    role = _(Role(ctx.role).label) if ctx.role in Role.values else ctx.role
    if writing and has_capability(ctx.role, VIEW):
        return _("Your role (%(role)s) can view Integrations but not change them.") % {"role": role}
    return _("Your role (%(role)s) cannot open this page.") % {"role": role}


def _json_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "details": {}}}, status=status)


def _gate(request: HttpRequest, capability: str, as_json: bool) -> HttpResponse | None:
    if not request.user.is_authenticated:
        if as_json:
            return _json_error(401, "not_authenticated", "Log in to use this endpoint")
        return redirect_to_login(request.get_full_path())
    ctx = resolve_context(request)
    if ctx is None:
        message = _("Your account is not a member of any organisation.")
        return _json_error(403, "forbidden", message) if as_json else refusal(request, message)
    request.console = ctx  # type: ignore[attr-defined]
    if not integrations_enabled(ctx.org):
        if as_json:
            return _json_error(402, "module_not_enabled", "The Integrations module is not enabled")
        return render(request, "console/upsell.html", {}, status=402)
    writing = request.method in WRITE_METHODS
    needed = MANAGE if writing else capability
    if not has_capability(ctx.role, capability) or not has_capability(ctx.role, needed):
        if as_json:
            return _json_error(403, "forbidden", "Insufficient permissions")
        return refusal(request, _refusal_text(ctx, writing))
    return None


def org_timezone(org: Organization) -> ZoneInfo:
    try:
        return ZoneInfo(org.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _htmx_redirect(request: HttpRequest, refused: HttpResponse) -> HttpResponse:
    """An htmx swap must not paste a login or refusal page into a panel: send the whole
    window there instead (a session that expired while the dashboard was polling)."""
    target = refused["Location"] if refused.status_code in (301, 302) else request.get_full_path()
    return HttpResponse(status=200, headers={"HX-Redirect": target})


def console_view(capability: str = VIEW, *, as_json: bool = False) -> Callable[[F], F]:
    """Guard a console view; GET needs `capability`, writes also need `integrations.manage`."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            refused = _gate(request, capability, as_json)
            if refused is not None:
                return (
                    refused if as_json or not is_htmx(request) else _htmx_redirect(request, refused)
                )
            # pages show times in the organisation's zone (rendering happens inside the view)
            with timezone.override(org_timezone(console(request).org)):
                return view(request, *args, **kwargs)

        return cast(F, wrapped)

    return decorate
