"""Imports: upload -> validate (every row, all errors at once) -> preview -> commit.

The commit runs in one transaction: either everything valid is written (and, in
all-or-nothing mode, only if every row was valid) or nothing is. Per-entity events are
published as the stand-in publishes them, all with the import's correlation id, and one
`import.completed` sums the batch up for webhook consumers.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from monopilot.events.services import publish
from monopilot.exchange import storage
from monopilot.exchange.engine import ErrorSink, Outcome, Plan
from monopilot.exchange.import_boms import BomImporter
from monopilot.exchange.import_products import ProductImporter
from monopilot.exchange.layouts import Layout
from monopilot.exchange.models import ConflictMode, ImportJob, ImportStatus
from monopilot.exchange.readers import FileProblem, RowError, guess_format, read_rows
from monopilot.integration_logs.services import log_integration
from monopilot.tenancy.models import Organization, User
from monopilot.tenancy.scoping import scoped

BACKGROUND_FROM = 1000  # rows; files this large are validated and imported on the worker
PROGRESS_EVERY = 1000
ENTITIES = ("products", "boms")


class Importer(Protocol):
    entity: str
    layout: Layout
    columns: tuple[str, ...]
    required: tuple[str, ...]
    example: dict[str, Any]

    def __init__(self, org: Organization, *, correlation_id: str = "") -> None: ...

    def run(
        self, rows: Iterator[tuple[int, dict[str, Any]]], outcome: Outcome, plan: Plan, write: bool
    ) -> None: ...


IMPORTERS: dict[str, type[Importer]] = {"products": ProductImporter, "boms": BomImporter}


class ImportError_(ValueError):
    """A request the import cannot honour (bad entity, mode, or committing invalid rows)."""


class _Rollback(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def importer_class(entity: str) -> type[Importer]:
    try:
        return IMPORTERS[entity]
    except KeyError:
        raise ImportError_(f"Unknown import '{entity}' (allowed: {', '.join(ENTITIES)})") from None


def _mode(mode: str) -> str:
    if mode not in ConflictMode.values:
        raise ImportError_(f"Unknown conflict mode '{mode}' (allowed: skip, update, ask)")
    return mode


def errors_path(job: ImportJob) -> Path:
    return storage.job_dir("imports", job.org_id, job.pk) / "errors.csv"


def errors_file_name(job: ImportJob) -> str:
    return f"import_errors_{job.created_at:%Y%m%d}.csv"


def _save_upload(job: ImportJob, content: IO[bytes] | bytes) -> Path:
    path = storage.job_dir("imports", job.org_id, job.pk) / storage.safe_name(job.file_name)
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        if isinstance(content, bytes):
            chunks: Any = [content]
        else:
            chunks = iter(lambda: content.read(1 << 16), b"")
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    job.file_path, job.file_size, job.file_sha256 = str(path), size, digest.hexdigest()
    return path


def _count_rows(path: Path, fmt: str, importer: type[Importer]) -> int:
    if fmt == "csv":
        with path.open("rb") as fh:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 16), b""))
        return max(lines - 1, 0)
    try:
        return sum(1 for _ in read_rows(path, fmt, importer.columns, importer.required))
    except FileProblem:
        return 0


def import_upload(
    *,
    org: Organization,
    entity: str,
    file_name: str,
    content: IO[bytes] | bytes,
    mode: str = ConflictMode.SKIP,
    valid_only: bool = False,
    dry_run: bool = False,
    user: User | None = None,
    api_key_id: Any = None,
) -> ImportJob:
    """Store the file and create the job (validation is the next step)."""
    importer = importer_class(entity)
    fmt = guess_format(file_name)
    job = ImportJob.objects.create(
        org=org,
        job_type=entity,
        file_name=storage.safe_name(file_name),
        file_format=fmt,
        conflict_resolution=_mode(mode),
        valid_only=valid_only,
        dry_run=dry_run,
        created_by=user,
        api_key_id=api_key_id,
    )
    path = _save_upload(job, content)
    job.total_rows = _count_rows(path, fmt, importer)
    job.save()
    return job


def runs_in_background(job: ImportJob) -> bool:
    return job.total_rows >= BACKGROUND_FROM


def _set(job: ImportJob, **values: Any) -> None:
    for key, value in values.items():
        setattr(job, key, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def progress_key(job_id: Any) -> str:
    return f"exchange:import:{job_id}:progress"


def progress_of(job: ImportJob) -> int:
    """Rows processed so far (the commit runs in one transaction, so it reports via cache)."""
    return int(cache.get(progress_key(job.pk)) or job.rows_processed)


def _rows(
    job: ImportJob, importer: Importer, in_transaction: bool
) -> Iterator[tuple[int, dict[str, Any]]]:
    rows = read_rows(Path(job.file_path), job.file_format, importer.columns, importer.required)
    for done, item in enumerate(rows, start=1):
        yield item
        if done % PROGRESS_EVERY == 0:
            cache.set(progress_key(job.pk), done, 3600)
            if not in_transaction:
                _set(job, rows_processed=done)


def _pass(job: ImportJob, plan: Plan, *, write: bool) -> tuple[Outcome, bool]:
    """One pass over the file; returns the outcome and whether the file itself was readable."""
    importer = IMPORTERS[job.job_type](job.org, correlation_id=f"import:{job.pk}")
    outcome = Outcome(errors=ErrorSink(errors_path(job)))
    readable = True
    try:
        importer.run(_rows(job, importer, in_transaction=write), outcome, plan, write)
    except FileProblem as problem:
        readable = False
        for error in problem.errors:
            outcome.errors.add(error)
    finally:
        outcome.errors.close()
    return outcome, readable


def _plan(job: ImportJob) -> Plan:
    return Plan(mode=job.conflict_resolution, decisions=job.decisions, valid_only=job.valid_only)


def import_validate(*, job: ImportJob) -> ImportJob:
    """Pass 1: check every row, write nothing. Safe to run twice."""
    if job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.VALIDATED):
        return job
    _set(job, status=ImportStatus.VALIDATING, started_at=job.started_at or timezone.now())
    try:
        outcome, readable = _pass(job, _plan(job), write=False)
    except Exception as exc:
        _fail(job, f"Validation failed: {exc}")
        raise
    _set(
        job,
        status=ImportStatus.VALIDATED if readable else ImportStatus.FAILED,
        total_rows=outcome.total,
        rows_valid=outcome.valid,
        rows_invalid=outcome.invalid,
        rows_processed=outcome.total,
        validation_errors=outcome.errors.kept,
        preview=outcome.preview,
        conflicts=outcome.conflicts,
        error_message="" if readable else "The file cannot be read: see the errors",
    )
    if not readable:
        _log(job, "error", 0.0, error=job.error_message)
    return job


def import_choose(
    *,
    job: ImportJob,
    mode: str | None = None,
    valid_only: bool | None = None,
    decisions: dict[str, str] | None = None,
    dry_run: bool | None = None,
) -> ImportJob:
    """Record the user's choices between preview and commit."""
    values: dict[str, Any] = {}
    if mode is not None:
        values["conflict_resolution"] = _mode(mode)
    if valid_only is not None:
        values["valid_only"] = valid_only
    if dry_run is not None:
        values["dry_run"] = dry_run
    if decisions is not None:
        bad = [v for v in decisions.values() if v not in ("skip", "update")]
        if bad:
            raise ImportError_(f"A per-row decision must be skip or update (got '{bad[0]}')")
        values["decisions"] = {str(k): v for k, v in decisions.items()}
    _set(job, **values)
    return job


def commit_refusal(job: ImportJob, *, queued: bool = False) -> str:
    """Why this job cannot be committed now ('' when it can)."""
    if job.status != ImportStatus.VALIDATED and not (
        queued and job.status == ImportStatus.IMPORTING
    ):
        return f"The import is {job.status}; only a validated import can be committed"
    if job.rows_invalid and not job.valid_only:
        return (
            f"{job.rows_invalid} row(s) have errors: fix the file, or choose to import "
            f"only the valid rows"
        )
    if job.rows_valid == 0:
        return "There is nothing valid to import"
    return ""


def import_commit(*, job: ImportJob, queued: bool = False) -> ImportJob:
    """Pass 2: write in one transaction (rolled back for a dry run or if data changed).

    `queued` is the worker's call for a job already marked importing; a crash in the middle
    rolled everything back, so running it again is safe."""
    refusal = commit_refusal(job, queued=queued)
    if refusal:
        if job.status in (ImportStatus.COMPLETED, ImportStatus.FAILED) and queued:
            return job
        raise ImportError_(refusal)
    started = time.monotonic()
    _set(job, status=ImportStatus.IMPORTING)
    try:
        with transaction.atomic():
            outcome, _readable = _pass(job, _plan(job), write=True)
            if outcome.invalid and not job.valid_only:
                raise _Rollback(outcome)
            if job.dry_run:
                raise _Rollback(outcome)
            _finish(job, outcome, ImportStatus.COMPLETED)
            if outcome.created or outcome.updated:  # a no-op re-import publishes nothing
                publish(
                    org=job.org,
                    type="import.completed",
                    subject=("import_job", job.pk),
                    correlation_id=f"import:{job.pk}",
                    data=_summary(job),
                )
            _log(job, "success" if not outcome.invalid else "warning", started)
    except _Rollback as stop:
        if job.dry_run:
            _finish(job, stop.outcome, ImportStatus.COMPLETED)
            _log(job, "success", started)
        else:
            _finish(
                job,
                stop.outcome,
                ImportStatus.FAILED,
                "The data changed since validation and rows are now invalid; nothing was imported",
            )
            _log(job, "error", started, error=job.error_message)
    except Exception as exc:
        _fail(job, f"Import failed, nothing was imported: {exc}")
        _log(job, "error", started, error=str(exc))
        raise
    finally:
        cache.delete(progress_key(job.pk))
    return job


def _finish(job: ImportJob, outcome: Outcome, status: str, message: str = "") -> None:
    _set(
        job,
        status=status,
        rows_processed=outcome.total,
        rows_valid=outcome.valid,
        rows_invalid=outcome.invalid,
        rows_created=outcome.created,
        rows_updated=outcome.updated,
        rows_skipped=outcome.skipped,
        rows_failed=outcome.invalid,
        validation_errors=outcome.errors.kept,
        error_message=message,
        completed_at=timezone.now(),
    )


def _fail(job: ImportJob, message: str) -> None:
    _set(job, status=ImportStatus.FAILED, error_message=message[:2000], completed_at=timezone.now())


def _summary(job: ImportJob) -> dict[str, Any]:
    return {
        "import_id": str(job.pk),
        "entity_type": job.job_type,
        "status": job.status,
        "file_name": job.file_name,
        "total_rows": job.total_rows,
        "created": job.rows_created,
        "updated": job.rows_updated,
        "skipped": job.rows_skipped,
        "failed": job.rows_failed,
    }


def _log(job: ImportJob, status: str, started: float, error: str = "") -> None:
    log_integration(
        org=job.org,
        integration_type="import",
        direction="inbound",
        status=status,
        event_type=f"import.{job.job_type}",
        error_message=error,
        api_key_id=job.api_key_id,
        correlation_id=f"import:{job.pk}",
        duration_ms=int((time.monotonic() - started) * 1000) if started else None,
        metadata={
            **_summary(job),
            "dry_run": job.dry_run,
            "mode": job.conflict_resolution,
            "valid_only": job.valid_only,
            "sha256": job.file_sha256,
        },
    )


def start_validation(*, job: ImportJob) -> ImportJob:
    """Validate now (small file) or on the worker (large file)."""
    if not runs_in_background(job):
        return import_validate(job=job)
    from monopilot.exchange.tasks import validate_import_job

    transaction.on_commit(lambda: validate_import_job.enqueue(str(job.pk)))
    return job


def start_commit(*, job: ImportJob) -> ImportJob:
    refusal = commit_refusal(job)
    if refusal:
        raise ImportError_(refusal)
    if not runs_in_background(job):
        return import_commit(job=job)
    from monopilot.exchange.tasks import commit_import_job

    _set(job, status=ImportStatus.IMPORTING)
    transaction.on_commit(lambda: commit_import_job.enqueue(str(job.pk)))
    return job


def import_jobs(*, org: Organization, entity: str | None = None) -> QuerySet[ImportJob]:
    qs = scoped(ImportJob, org).order_by("-created_at")
    return qs.filter(job_type=entity) if entity else qs


def all_errors(job: ImportJob) -> list[dict[str, Any]]:
    """Every error of the last pass, read back from the errors CSV."""
    import csv

    path = errors_path(job)
    if not path.is_file():
        return list(job.validation_errors)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            {
                "row": int(r["row"]) if r["row"] else None,
                "column": r["column"],
                "message": r["message"],
            }
            for r in csv.DictReader(fh)
        ]


def file_problem(message: str) -> FileProblem:
    return FileProblem([RowError(None, "", message)])


def import_file(
    *,
    org: Organization,
    entity: str,
    path: Path,
    mode: str = ConflictMode.SKIP,
    valid_only: bool = False,
    dry_run: bool = False,
    user: User | None = None,
) -> ImportJob:
    """Upload, validate and (if the choices allow) commit, all now: the CLI's path."""
    with path.open("rb") as fh:
        job = import_upload(
            org=org,
            entity=entity,
            file_name=path.name,
            content=fh,
            mode=mode,
            valid_only=valid_only,
            dry_run=dry_run,
            user=user,
        )
    import_validate(job=job)
    if not commit_refusal(job):
        import_commit(job=job)
    return job


def result_json(job: ImportJob) -> dict[str, Any]:
    """The CLI's --json answer and the API's summary."""
    return {
        "valid": job.rows_valid,
        "invalid": job.rows_invalid,
        "created": job.rows_created,
        "updated": job.rows_updated,
        "skipped": job.rows_skipped,
        "errors": all_errors(job),
    }
