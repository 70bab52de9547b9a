"""/api/v1/exports and /api/v1/imports (scopes export:run / import:run). Thin: parse,
call a service, render; the lead mounts `router` at /api/v1."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from monopilot.api.context import require_scope
from monopilot.api.errors import ApiError
from monopilot.exchange import xsd
from monopilot.exchange.export_specs import SPECS
from monopilot.exchange.exporting import (
    ExportError,
    ExportExpired,
    export_create,
    export_job_file,
    export_jobs,
)
from monopilot.exchange.import_templates import CONTENT_TYPES, template
from monopilot.exchange.importing import (
    ImportError_,
    errors_file_name,
    errors_path,
    import_choose,
    import_jobs,
    import_upload,
    progress_of,
    start_commit,
    start_validation,
)
from monopilot.exchange.models import ExportJob, ExportStatus, ImportJob, ImportStatus
from monopilot.exchange.readers import FileProblem
from monopilot.tenancy.scoping import scoped

router = Router(tags=["exchange"])
EXPORT, IMPORT = "export:run", "import:run"


class ExportIn(Schema):
    entity: str
    format: str = "csv"
    filters: dict[str, Any] = {}
    options: dict[str, Any] = {}


class CommitIn(Schema):
    mode: str | None = None
    valid_only: bool | None = None
    dry_run: bool | None = None
    decisions: dict[str, str] | None = None


def export_out(job: ExportJob) -> dict[str, Any]:
    download = (
        f"/api/v1/exports/{job.pk}/download" if job.status == ExportStatus.COMPLETED else None
    )
    return {
        "id": str(job.pk),
        "entity": job.entity_type,
        "format": job.format,
        "status": job.status,
        "progress": job.progress,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "filters": job.filters,
        "file_name": job.file_name or None,
        "file_size_bytes": job.file_size_bytes,
        "download_url": download,
        "expires_at": job.expires_at,
        "error_message": job.error_message or None,
        "created_at": job.created_at,
        "completed_at": job.completed_at,
    }


def import_out(job: ImportJob, *, detail: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(job.pk),
        "entity": job.job_type,
        "file_name": job.file_name,
        "format": job.file_format,
        "status": job.status,
        "mode": job.conflict_resolution,
        "valid_only": job.valid_only,
        "dry_run": job.dry_run,
        "total_rows": job.total_rows,
        "processed_rows": progress_of(job),
        "valid": job.rows_valid,
        "invalid": job.rows_invalid,
        "created": job.rows_created,
        "updated": job.rows_updated,
        "skipped": job.rows_skipped,
        "error_message": job.error_message or None,
        "errors_url": f"/api/v1/imports/{job.pk}/errors.csv",
        "created_at": job.created_at,
        "completed_at": job.completed_at,
    }
    if detail:
        body.update(errors=job.validation_errors, preview=job.preview, conflicts=job.conflicts)
    return body


def _bad(exc: Exception) -> ApiError:
    return ApiError(400, "invalid_request", str(exc))


@router.get("/exports/schemas/{entity}.xsd", summary="XSD of an entity's XML export")
def export_schema(request: HttpRequest, entity: str) -> HttpResponse:
    require_scope(request, EXPORT)
    spec = SPECS.get(entity)
    if spec is None:
        raise ApiError(404, "not_found", f"No schema for '{entity}'", {"entities": list(SPECS)})
    response = HttpResponse(xsd.schema_text(spec.layout), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{xsd.file_name(spec.layout)}"'
    return response


JOB = {200: dict[str, Any], 201: dict[str, Any], 202: dict[str, Any]}


@router.post("/exports", response=JOB, summary="Start an export (small ones finish at once)")
def export_start(request: HttpRequest, payload: ExportIn) -> Any:
    who = require_scope(request, EXPORT)
    try:
        job = export_create(
            org=who.org,
            entity=payload.entity,
            fmt=payload.format,
            filters=payload.filters,
            options=payload.options,
            api_key_id=who.key_id,
        )
    except ExportError as exc:
        raise _bad(exc) from None
    status = 201 if job.status in (ExportStatus.COMPLETED, ExportStatus.FAILED) else 202
    return Status(status, export_out(job))


@router.get("/exports", summary="Export jobs, newest first")
def export_list(request: HttpRequest, limit: int = 50) -> dict[str, Any]:
    who = require_scope(request, EXPORT)
    jobs = export_jobs(org=who.org)[: max(1, min(limit, 200))]
    return {"data": [export_out(job) for job in jobs]}


def _export_job(request: HttpRequest, job_id: UUID) -> ExportJob:
    who = require_scope(request, EXPORT)
    job = scoped(ExportJob, who.org).filter(pk=job_id).first()
    if job is None:
        raise ApiError(404, "not_found", "Export not found")
    return job


@router.get("/exports/{job_id}", summary="An export job and its progress")
def export_detail(request: HttpRequest, job_id: UUID) -> dict[str, Any]:
    return export_out(_export_job(request, job_id))


@router.get("/exports/{job_id}/download", summary="The export file (kept 24 hours)")
def export_download(request: HttpRequest, job_id: UUID) -> FileResponse:
    job = _export_job(request, job_id)
    try:
        path = export_job_file(job=job)
    except ExportExpired as exc:
        raise ApiError(410, "expired", str(exc)) from None
    except ExportError as exc:
        raise ApiError(409, "not_ready", str(exc)) from None
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)


@router.get("/imports/templates/{entity}.{fmt}", summary="Import template with an example row")
def import_template(request: HttpRequest, entity: str, fmt: str) -> HttpResponse:
    require_scope(request, IMPORT)
    try:
        name, content = template(entity, fmt)
    except (ImportError_, ValueError) as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post(
    "/imports", response=JOB, summary="Upload a file: it is validated (in the background if large)"
)
def import_start(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008  (ninja's way of declaring form fields)
    entity: str = Form(...),
    mode: str = Form("skip"),
    valid_only: bool = Form(False),
    dry_run: bool = Form(False),
) -> Any:
    who = require_scope(request, IMPORT)
    try:
        job = import_upload(
            org=who.org,
            entity=entity,
            file_name=file.name or "upload.csv",
            content=file,
            mode=mode,
            valid_only=valid_only,
            dry_run=dry_run,
            api_key_id=who.key_id,
        )
    except FileProblem as exc:
        raise ApiError(
            400, "invalid_file", str(exc), {"errors": [e.as_dict() for e in exc.errors]}
        ) from None
    except ImportError_ as exc:
        raise _bad(exc) from None
    job = start_validation(job=job)
    return Status(202 if job.status == ImportStatus.PENDING else 201, import_out(job, detail=True))


@router.get("/imports", summary="Import history")
def import_list(request: HttpRequest, entity: str | None = None, limit: int = 50) -> dict[str, Any]:
    who = require_scope(request, IMPORT)
    jobs = import_jobs(org=who.org, entity=entity)[: max(1, min(limit, 200))]
    return {"data": [import_out(job) for job in jobs]}


def _import_job(request: HttpRequest, job_id: UUID) -> ImportJob:
    who = require_scope(request, IMPORT)
    job = scoped(ImportJob, who.org).filter(pk=job_id).first()
    if job is None:
        raise ApiError(404, "not_found", "Import not found")
    return job


@router.get("/imports/{job_id}", summary="An import: status, counts, errors, preview")
def import_detail(request: HttpRequest, job_id: UUID) -> dict[str, Any]:
    return import_out(_import_job(request, job_id), detail=True)


@router.post("/imports/{job_id}/commit", response=JOB, summary="Import the validated file")
def import_commit_endpoint(request: HttpRequest, job_id: UUID, payload: CommitIn) -> Any:
    job = _import_job(request, job_id)
    try:
        import_choose(
            job=job,
            mode=payload.mode,
            valid_only=payload.valid_only,
            decisions=payload.decisions,
            dry_run=payload.dry_run,
        )
        job = start_commit(job=job)
    except ImportError_ as exc:
        raise ApiError(409, "cannot_commit", str(exc)) from None
    return Status(
        202 if job.status == ImportStatus.IMPORTING else 200, import_out(job, detail=True)
    )


@router.get("/imports/{job_id}/errors.csv", summary="Every error of the import as CSV")
def import_errors(request: HttpRequest, job_id: UUID) -> HttpResponseBase:
    job = _import_job(request, job_id)
    path = errors_path(job)
    if not path.is_file():
        raise ApiError(404, "not_found", "This import has no error report yet")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=errors_file_name(job),
        content_type="text/csv; charset=utf-8",
    )
