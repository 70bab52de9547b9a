"""Exports: filters, streaming to a file, background jobs, 24-hour downloads, logging."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from monopilot.events.services import publish
from monopilot.exchange import storage, xsd
from monopilot.exchange.export_specs import ENTITIES, SPECS, ExportSpec, base_queryset
from monopilot.exchange.models import ExportJob, ExportStatus
from monopilot.exchange.writers import (
    CsvOptions,
    Metadata,
    Progress,
    write_csv,
    write_json,
    write_xml,
)
from monopilot.integration_logs.services import log_integration
from monopilot.tenancy.models import Organization, User
from monopilot.tenancy.roles import has_capability
from monopilot.tenancy.scoping import scoped

FORMATS = ("csv", "json", "xml")
BACKGROUND_ABOVE = 1000  # rows; smaller exports run at once
KEEP_FOR = timedelta(hours=24)
CHUNK = 1000
RESERVED = {"date_from", "date_to", "last_days", "include_archived"}


class ExportError(ValueError):
    pass


class ExportExpired(ExportError):
    pass


def spec_for(entity: str) -> ExportSpec:
    try:
        return SPECS[entity]
    except KeyError:
        raise ExportError(f"Unknown entity '{entity}' (allowed: {', '.join(ENTITIES)})") from None


def can_export(role: str, entity: str) -> bool:
    """FR-INT-008: every role with basic export may export products/BOMs; the rest is admin."""
    return has_capability(role, spec_for(entity).capability)


def file_name(entity: str, fmt: str, day: date) -> str:
    return f"{entity}_{day.isoformat()}.{fmt}"


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _day(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ExportError(f"Filter {name}: '{value}' is not a date (YYYY-MM-DD)") from None


def clean_filters(entity: str, filters: dict[str, Any]) -> dict[str, str]:
    """Check filter names and values now, so a bad one fails before any job starts."""
    spec = spec_for(entity)
    cleaned = {k: str(v).strip() for k, v in filters.items() if str(v).strip() != ""}
    unknown = sorted(set(cleaned) - RESERVED - set(spec.filters))
    if unknown:
        allowed = ", ".join(sorted(set(spec.filters) | RESERVED))
        raise ExportError(f"Unknown filter '{unknown[0]}' for {entity} (allowed: {allowed})")
    for name in ("date_from", "date_to"):
        if name in cleaned:
            _day(cleaned[name], name)
    if "last_days" in cleaned and not cleaned["last_days"].isdigit():
        raise ExportError("Filter last_days must be a whole number of days")
    if (
        "date_from" in cleaned
        and "date_to" in cleaned
        and cleaned["date_from"] > cleaned["date_to"]
    ):
        raise ExportError("Filter date_from is after date_to")
    return cleaned


def export_queryset(*, org: Organization, entity: str, filters: dict[str, Any]) -> QuerySet[Any]:
    spec = spec_for(entity)
    cleaned = clean_filters(entity, filters)
    qs = base_queryset(spec).filter(org=org)
    if not _truthy(cleaned.get("include_archived", "")):
        qs = qs.exclude(spec.archived)
    date_field = spec.date_field
    if spec.model._meta.get_field(date_field).get_internal_type() == "DateTimeField":
        date_field += "__date"
    if "last_days" in cleaned:
        qs = qs.filter(
            **{
                f"{date_field}__gte": timezone.localdate()
                - timedelta(days=int(cleaned["last_days"]))
            }
        )
    if "date_from" in cleaned:
        qs = qs.filter(**{f"{date_field}__gte": _day(cleaned["date_from"], "date_from")})
    if "date_to" in cleaned:
        qs = qs.filter(**{f"{date_field}__lte": _day(cleaned["date_to"], "date_to")})
    for name, lookup in spec.filters.items():
        if name in cleaned:
            qs = _filter(qs, spec, lookup, cleaned[name])
    return qs


def _filter(qs: QuerySet[Any], spec: ExportSpec, lookup: str, value: str) -> QuerySet[Any]:
    values = [v.strip() for v in value.split(",") if v.strip()]
    condition = (
        {lookup: values[0]}
        if lookup.endswith("startswith") or len(values) == 1
        else {f"{lookup}__in": values}
    )
    if "lines__" in lookup:  # through a to-many relation: no duplicate parents
        return qs.filter(pk__in=spec.model._default_manager.filter(**condition).values("pk"))
    return qs.filter(**condition)


def records(spec: ExportSpec, qs: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    for obj in qs.iterator(chunk_size=CHUNK):
        yield spec.record(obj)


def export_write(
    *,
    org: Organization,
    entity: str,
    fmt: str,
    filters: dict[str, Any],
    out: IO[bytes],
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> int:
    """Stream the export into `out`; returns the number of records."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format '{fmt}' (allowed: {', '.join(FORMATS)})")
    spec = spec_for(entity)
    qs = export_queryset(org=org, entity=entity, filters=filters)
    if fmt == "csv":
        try:
            csv_options = CsvOptions.from_dict(options or {})
        except ValueError as exc:
            raise ExportError(str(exc)) from None
        return write_csv(spec.layout, records(spec, qs), out, csv_options, progress)
    meta = Metadata(
        entity_type=entity,
        exported_at=timezone.now(),
        total_records=qs.count(),
        organization_id=str(org.pk),
        organization_name=org.name,
        filters=clean_filters(entity, filters),
    )
    writer = write_json if fmt == "json" else write_xml
    return writer(spec.layout, records(spec, qs), out, meta, progress)


def export_to_path(
    *,
    org: Organization,
    entity: str,
    fmt: str,
    filters: dict[str, Any],
    path: Path,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the export file and, for XML, check it against the published XSD."""
    with path.open("wb") as out:
        count = export_write(
            org=org,
            entity=entity,
            fmt=fmt,
            filters=filters,
            out=out,
            options=options,
            progress=progress,
        )
    if fmt == "xml":
        xsd.validate_file(spec_for(entity).layout, path)
    return count


@transaction.atomic
def export_create(
    *,
    org: Organization,
    entity: str,
    fmt: str,
    filters: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    user: User | None = None,
    api_key_id: Any = None,
) -> ExportJob:
    """Create the job; small exports run at once, larger ones on the worker (after commit)."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format '{fmt}' (allowed: {', '.join(FORMATS)})")
    cleaned = clean_filters(entity, filters or {})
    if fmt == "csv":
        try:
            CsvOptions.from_dict(options or {})
        except ValueError as exc:
            raise ExportError(str(exc)) from None
    total = export_queryset(org=org, entity=entity, filters=cleaned).count()
    job = ExportJob.objects.create(
        org=org,
        entity_type=entity,
        format=fmt,
        filters=cleaned,
        options=options or {},
        total_rows=total,
        created_by=user,
        api_key_id=api_key_id,
    )
    if total <= BACKGROUND_ABOVE:
        return export_run(job=job)
    from monopilot.exchange.tasks import run_export_job

    transaction.on_commit(lambda: run_export_job.enqueue(str(job.pk)))
    return job


def export_run(*, job: ExportJob) -> ExportJob:
    """Write the job's file (safe to run twice: a finished job is left alone)."""
    if job.status in (ExportStatus.COMPLETED, ExportStatus.EXPIRED):
        return job
    started = time.monotonic()
    day = timezone.localdate()
    name = file_name(job.entity_type, job.format, day)
    path = storage.job_dir("exports", job.org_id, job.pk) / name
    _set(job, status=ExportStatus.PROCESSING, started_at=timezone.now())
    try:
        count = export_to_path(
            org=job.org,
            entity=job.entity_type,
            fmt=job.format,
            filters=job.filters,
            options=job.options,
            path=path,
            progress=lambda n: _progress(job, n),
        )
    except Exception as exc:
        _set(
            job,
            status=ExportStatus.FAILED,
            error_message=str(exc)[:2000],
            completed_at=timezone.now(),
        )
        _log(job, "error", started, error=str(exc))
        return job
    _set(
        job,
        status=ExportStatus.COMPLETED,
        progress=100,
        processed_rows=count,
        total_rows=count,
        file_name=name,
        file_path=str(path),
        file_size_bytes=path.stat().st_size,
        completed_at=timezone.now(),
        expires_at=timezone.now() + KEEP_FOR,
    )
    with transaction.atomic():
        publish(
            org=job.org,
            type="export.completed",
            subject=("export_job", job.pk),
            correlation_id=f"export:{job.pk}",
            data={
                "export_id": str(job.pk),
                "entity_type": job.entity_type,
                "format": job.format,
                "total_rows": count,
                "file_name": name,
                "expires_at": job.expires_at.isoformat() if job.expires_at else None,
            },
        )
        _log(job, "success", started)
    return job


def _set(job: ExportJob, **values: Any) -> None:
    for key, value in values.items():
        setattr(job, key, value)
    ExportJob.objects.filter(pk=job.pk).update(**values)


def _progress(job: ExportJob, done: int) -> None:
    total = max(job.total_rows, done, 1)
    _set(job, processed_rows=done, progress=min(99, done * 100 // total))


def _log(job: ExportJob, status: str, started: float, error: str = "") -> None:
    log_integration(
        org=job.org,
        integration_type="export",
        direction="outbound",
        status=status,
        event_type=f"export.{job.entity_type}",
        error_message=error,
        api_key_id=job.api_key_id,
        correlation_id=f"export:{job.pk}",
        duration_ms=int((time.monotonic() - started) * 1000),
        metadata={
            "export_id": str(job.pk),
            "entity_type": job.entity_type,
            "format": job.format,
            "filters": job.filters,
            "rows": job.processed_rows,
            "file_name": job.file_name,
        },
    )


def log_direct_export(
    *,
    org: Organization,
    entity: str,
    fmt: str,
    filters: dict[str, Any],
    rows: int,
    started: float,
    channel: str,
) -> None:
    """Exports that stream straight to the caller (CLI) are logged too."""
    log_integration(
        org=org,
        integration_type="export",
        direction="outbound",
        status="success",
        event_type=f"export.{entity}",
        duration_ms=int((time.monotonic() - started) * 1000),
        metadata={
            "entity_type": entity,
            "format": fmt,
            "filters": filters,
            "rows": rows,
            "channel": channel,
        },
    )


def export_job_file(*, job: ExportJob) -> Path:
    """The file of a finished job, or ExportExpired after 24 hours (FR-INT-008)."""
    if job.status != ExportStatus.COMPLETED or not job.file_path:
        raise ExportError(f"Export is {job.status}, there is no file to download")
    if job.expires_at is None or job.expires_at <= timezone.now():
        raise ExportExpired("The export file has expired (files are kept for 24 hours)")
    path = Path(job.file_path)
    if not path.is_file():
        raise ExportExpired("The export file is no longer available")
    return path


def export_jobs(*, org: Organization) -> QuerySet[ExportJob]:
    return scoped(ExportJob, org).order_by("-created_at")


def expire_exports(*, now: Any = None) -> int:
    """Mark jobs past their 24 hours expired and delete their files."""
    now = now or timezone.now()
    expired = ExportJob.objects.filter(status=ExportStatus.COMPLETED, expires_at__lte=now)
    count = 0
    for job in expired.iterator():
        shutil.rmtree(Path(job.file_path).parent, ignore_errors=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.EXPIRED)
        count += 1
    return count
