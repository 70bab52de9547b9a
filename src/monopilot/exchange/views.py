"""Console screens: export (INT-005) and import (INT-009), in the console's layout.

Export is open to every role with basic export (FR-INT-008: products/BOMs for users, all
entities for administrators; basic export stays free, so it does not need the module).
Import is for administrators (the console gate: integrations.manage).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from monopilot.console.access import MANAGE, console_view, refusal, resolve_context
from monopilot.exchange import xsd
from monopilot.exchange.export_specs import ENTITIES, SPECS
from monopilot.exchange.exporting import (
    FORMATS,
    ExportError,
    can_export,
    export_create,
    export_job_file,
    export_jobs,
)
from monopilot.exchange.import_templates import CONTENT_TYPES, template
from monopilot.exchange.importing import (
    ENTITIES as IMPORT_ENTITIES,
)
from monopilot.exchange.importing import (
    ImportError_,
    commit_refusal,
    errors_file_name,
    errors_path,
    import_choose,
    import_jobs,
    import_upload,
    progress_of,
    start_commit,
    start_validation,
)
from monopilot.exchange.models import ExportJob, ImportJob, ImportStatus
from monopilot.exchange.readers import FileProblem
from monopilot.tenancy.roles import has_capability
from monopilot.tenancy.scoping import get_scoped
from monopilot.tenancy.services import integrations_enabled

F = TypeVar("F", bound=Callable[..., HttpResponseBase])
BASIC_ENTITIES = ("products", "boms")
DATE_RANGES = ("", "30", "90", "365")


def export_gate(view: F) -> F:
    """Signed in, a member, and a role with basic export (no module needed for that)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        ctx = resolve_context(request)
        if ctx is None or not has_capability(ctx.role, "export.basic"):
            return refusal(request, _("Insufficient permissions"))
        request.console = ctx  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return cast(F, wrapped)


def _ctx(request: HttpRequest) -> Any:
    return request.console  # type: ignore[attr-defined]


def allowed_entities(request: HttpRequest) -> list[str]:
    ctx = _ctx(request)
    entities = ENTITIES if integrations_enabled(ctx.org) else BASIC_ENTITIES
    return [e for e in entities if can_export(ctx.role, e)]


@export_gate
@require_http_methods(["GET", "POST"])
def export_page(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    entities = allowed_entities(request)
    if request.method == "POST":
        entity = request.POST.get("entity", "")
        if entity not in entities:
            return refusal(request, _("You may not export %(entity)s") % {"entity": entity})
        try:
            job = export_create(
                org=ctx.org,
                entity=entity,
                fmt=request.POST.get("format", "csv"),
                filters=_export_filters(request),
                options=_csv_options(request),
                user=ctx.user,
            )
        except ExportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Export of %(entity)s started") % {"entity": entity})
            return HttpResponseRedirect(f"/integrations/export?highlight={job.pk}")
    jobs = export_jobs(org=ctx.org).filter(entity_type__in=entities)[:20]
    return render(
        request,
        "exchange/export.html",
        {
            "entities": entities,
            "formats": FORMATS,
            "jobs": jobs,
            "date_ranges": DATE_RANGES,
            "running": any(j.status in ("pending", "processing") for j in jobs),
        },
    )


def _export_filters(request: HttpRequest) -> dict[str, str]:
    filters = {
        "last_days": request.POST.get("last_days", ""),
        "date_from": request.POST.get("date_from", ""),
        "date_to": request.POST.get("date_to", ""),
        "status": request.POST.get("status", ""),
        "product": request.POST.get("product", ""),
    }
    spec = SPECS.get(request.POST.get("entity", ""))
    for name in ("status", "product"):
        if spec is None or name not in spec.filters:
            filters.pop(name)
    if request.POST.get("include_archived"):
        filters["include_archived"] = "true"
    return {k: v for k, v in filters.items() if v}


def _csv_options(request: HttpRequest) -> dict[str, Any]:
    if request.POST.get("polish_excel"):
        return {"delimiter": ";", "decimal_comma": True}
    return {}


@export_gate
def export_jobs_partial(request: HttpRequest) -> HttpResponse:
    jobs = export_jobs(org=_ctx(request).org).filter(entity_type__in=allowed_entities(request))[:20]
    running = any(j.status in ("pending", "processing") for j in jobs)
    return render(request, "exchange/_export_jobs.html", {"jobs": jobs, "running": running})


@export_gate
def export_download(request: HttpRequest, job_id: UUID) -> HttpResponseBase:
    job = get_scoped(ExportJob, _ctx(request).org, pk=job_id)
    if job.entity_type not in allowed_entities(request):
        raise Http404("export not found")
    try:
        path = export_job_file(job=job)
    except ExportError as exc:
        return refusal(request, str(exc), status=410)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)


@export_gate
def export_schema(request: HttpRequest, entity: str) -> HttpResponse:
    spec = SPECS.get(entity)
    if spec is None:
        raise Http404("no such schema")
    response = HttpResponse(xsd.schema_text(spec.layout), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{xsd.file_name(spec.layout)}"'
    return response


@console_view(MANAGE)
def import_index(request: HttpRequest) -> HttpResponse:
    jobs = import_jobs(org=_ctx(request).org)[:10]
    return render(
        request, "exchange/import_index.html", {"jobs": jobs, "entities": IMPORT_ENTITIES}
    )


@console_view(MANAGE)
def import_history(request: HttpRequest) -> HttpResponse:
    jobs = import_jobs(org=_ctx(request).org)[:100]
    return render(request, "exchange/import_history.html", {"jobs": jobs})


@console_view(MANAGE)
def import_template(request: HttpRequest, entity: str, fmt: str) -> HttpResponse:
    if entity not in IMPORT_ENTITIES or fmt not in CONTENT_TYPES:
        raise Http404("no such template")
    name, content = template(entity, fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@console_view(MANAGE)
@require_http_methods(["GET", "POST"])
def import_upload_page(request: HttpRequest, entity: str) -> HttpResponse:
    if entity not in IMPORT_ENTITIES:
        raise Http404("no such import")
    ctx = _ctx(request)
    upload = request.FILES.get("file")
    if request.method == "POST" and upload is None:
        messages.error(request, _("Choose a file to upload"))
    elif request.method == "POST" and upload is not None:
        try:
            job = import_upload(
                org=ctx.org,
                entity=entity,
                file_name=upload.name or "upload.csv",
                content=upload,
                mode=request.POST.get("mode", "skip"),
                user=ctx.user,
            )
        except (FileProblem, ImportError_) as exc:
            messages.error(request, str(exc))
        else:
            start_validation(job=job)
            return HttpResponseRedirect(f"/integrations/import/jobs/{job.pk}")
    jobs = import_jobs(org=ctx.org, entity=entity)[:10]
    return render(request, "exchange/import_upload.html", {"entity": entity, "jobs": jobs})


def _job_context(job: ImportJob) -> dict[str, Any]:
    running = job.status in (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.IMPORTING)
    done = progress_of(job)
    return {
        "job": job,
        "running": running,
        "done": done,
        "percent": min(100, done * 100 // job.total_rows) if job.total_rows else 0,
        "refusal": commit_refusal(job) if job.status == ImportStatus.VALIDATED else "",
        "errors": job.validation_errors[:200],
        "more_errors": job.rows_invalid > 0,
        "has_errors_file": errors_path(job).is_file(),
    }


@console_view(MANAGE)
@require_http_methods(["GET", "POST"])
def import_job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = get_scoped(ImportJob, _ctx(request).org, pk=job_id)
    if request.method == "POST":
        decisions: dict[str, str] = {
            k.removeprefix("row-"): str(v) for k, v in request.POST.items() if k.startswith("row-")
        }
        try:
            import_choose(
                job=job,
                mode=request.POST.get("mode", job.conflict_resolution),
                valid_only=request.POST.get("valid_only") == "1",
                decisions=decisions,
            )
            job = start_commit(job=job)
        except ImportError_ as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(f"/integrations/import/jobs/{job.pk}")
    return render(request, "exchange/import_job.html", _job_context(job))


@console_view(MANAGE)
def import_job_status(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = get_scoped(ImportJob, _ctx(request).org, pk=job_id)
    response = render(request, "exchange/_import_status.html", _job_context(job))
    if request.headers.get("HX-Request") and job.status not in (
        ImportStatus.PENDING,
        ImportStatus.VALIDATING,
        ImportStatus.IMPORTING,
    ):
        response["HX-Refresh"] = "true"  # finished: reload the page with results
    return response


@console_view(MANAGE)
def import_errors(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = get_scoped(ImportJob, _ctx(request).org, pk=job_id)
    path = errors_path(job)
    if not path.is_file():
        raise Http404("no error report")
    # the console gate is typed for HttpResponse; a FileResponse streams the same way
    return cast(
        HttpResponse,
        FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=errors_file_name(job),
            content_type="text/csv; charset=utf-8",
        ),
    )
