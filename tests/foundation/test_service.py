from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_tasks import task

from monopilot.core import scheduler
from monopilot.core.checks import production_configuration
from monopilot.core.models import ScheduledRun, WorkerHeartbeat
from monopilot.core.worker import WorkerLoop

CALLS: list[int] = []


@task()
def record_call(value: int) -> int:
    CALLS.append(value)
    return value


def test_healthz_reports_database_and_worker(db: None, client: Client) -> None:
    body = client.get("/healthz").json()
    assert body["database"]["status"] == "ok"
    assert body["status"] == "degraded"  # no worker yet
    assert body["worker"]["alive"] == 0
    WorkerLoop().heartbeat()
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["version"]


def test_root_redirects_to_the_login_page(db: None, client: Client) -> None:
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_login_with_email(db: None, client: Client, owner: object) -> None:
    email = owner.email  # type: ignore[attr-defined]
    bad = client.post("/login/", {"username": email, "password": "wrong"})
    assert bad.status_code == 200
    assert b"correct" in bad.content
    ok = client.post("/login/", {"username": email, "password": "pw-test-123"})
    assert ok.status_code == 302
    assert ok["Location"] == "/integrations/dashboard"


def test_scheduler_runs_a_job_once_per_slot(db: None) -> None:
    enqueued: list[str] = []
    scheduler.register(
        scheduler.Job(name="t.daily", daily_at=time(2, 0), enqueue=lambda: enqueued.append("x"))
    )
    try:
        early = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
        assert "t.daily" not in scheduler.run_due_jobs(now=early)
        late = early + timedelta(hours=2)
        assert "t.daily" in scheduler.run_due_jobs(now=late)
        assert "t.daily" not in scheduler.run_due_jobs(now=late + timedelta(hours=1))
        assert ScheduledRun.objects.filter(job="t.daily").count() == 1
    finally:
        scheduler._jobs.pop("t.daily")


@pytest.mark.django_db(transaction=True)
def test_worker_runs_enqueued_tasks_and_beats() -> None:
    CALLS.clear()
    record_call.enqueue(7)
    loop = WorkerLoop()
    loop.drain_tasks()
    loop.heartbeat()
    assert CALLS == [7]
    assert WorkerHeartbeat.objects.filter(worker_id=loop.worker_id).exists()


@override_settings(MONOPILOT_EMBEDDED=False, DEBUG=False, MONOPILOT_ALLOW_PRIVATE_URLS=True)
def test_production_checks_refuse_private_urls() -> None:
    ids = [message.id for message in production_configuration()]
    assert "monopilot.E001" in ids


def test_migrations_are_in_sync(db: None) -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
