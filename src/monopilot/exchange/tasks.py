"""Background work of the exchange app. Tasks take ids and are safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from monopilot.core import scheduler
from monopilot.exchange.exporting import expire_exports, export_run
from monopilot.exchange.importing import import_commit, import_validate
from monopilot.exchange.models import ExportJob, ImportJob


@task(queue_name="exchange")
def run_export_job(job_id: str) -> None:
    job = ExportJob.objects.select_related("org").filter(pk=job_id).first()
    if job is not None:
        export_run(job=job)


@task(queue_name="exchange")
def validate_import_job(job_id: str) -> None:
    job = ImportJob.objects.select_related("org").filter(pk=job_id).first()
    if job is not None:
        import_validate(job=job)


@task(queue_name="exchange")
def commit_import_job(job_id: str) -> None:
    job = ImportJob.objects.select_related("org").filter(pk=job_id).first()
    if job is not None:
        import_commit(job=job, queued=True)


@task(queue_name="exchange")
def expire_export_files() -> int:
    return expire_exports()


scheduler.register(
    scheduler.Job(
        name="exchange.expire_exports",
        every=timedelta(hours=1),
        enqueue=lambda: expire_export_files.enqueue(),
    )
)
