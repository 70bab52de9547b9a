"""Transports register by kind; the dispatcher hands each claimed message to its transport.

A transport is asked, on the database thread, to `prepare()` a batch (load target config,
say which messages must wait or die without a send), then `send()`s on the event loop,
then `after()` sees every outcome inside the transaction that records them (target health,
counters, auto-disable).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monopilot.core.ids import time_ordered_uuid
from monopilot.core.postclient import PostClient


@dataclass
class Job:
    """A claimed message, detached from the ORM so the event loop can use it safely."""

    id: uuid.UUID
    org_id: uuid.UUID
    kind: str
    target_id: uuid.UUID
    target_label: str
    event_id: uuid.UUID | None
    event_type: str
    payload: bytes
    content_type: str
    correlation_id: str
    retry_policy: str
    max_retries: int
    attempts: int
    cycle_attempts: int
    lease_token: str
    lease_deadline: float = 0.0  # loop.time() after which the lease may be gone
    delivery_id: uuid.UUID = field(default_factory=time_ordered_uuid)
    manual: bool = False

    @property
    def message_id(self) -> str:
        return f"msg_{self.id.hex}"

    @property
    def number(self) -> int:
        return self.attempts + 1


@dataclass
class Outcome:
    job: Job
    ok: bool
    started_at: datetime
    duration_ms: int | None = None
    http_status: int | None = None
    error: str = ""
    response_body: str = ""
    request_headers: dict[str, str] = field(default_factory=dict)
    retry_after: str | None = None
    # Not an attempt: the message goes back to the queue untouched (rate limit, lease).
    deferred_until: datetime | None = None
    # Final without retry whatever the policy says (e.g. a config error such as SSRF).
    final_reason: str = ""


@dataclass(frozen=True)
class Limits:
    concurrency: int = 20
    rate_per_second: float | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Verdict:
    """Result of prepare() for one job: send it, hold it (target paused), or kill it."""

    action: str  # "send" | "hold" | "dead"
    reason: str = ""


SEND = Verdict("send")


class Transport:
    kind: str = ""
    log_type: str = "workflow"  # integration_logs type of the rows this transport writes

    def prepare(self, jobs: list[Job]) -> dict[uuid.UUID, Verdict]:
        return {job.id: SEND for job in jobs}

    def limits(self, target_id: uuid.UUID) -> Limits:
        return Limits()

    async def send(self, job: Job, client: PostClient) -> Outcome:
        """Runs on the dispatcher's event loop; `client` is its pooled HTTP client."""
        raise NotImplementedError

    def after(self, outcomes: list[Outcome]) -> None:
        """Runs inside the recording transaction (database thread)."""

    def log_fields(self, outcome: Outcome) -> dict[str, Any]:
        return {}


class SyncTransport(Transport):
    """For transports that block (files, SFTP, httpx): send() runs `send_sync` on a thread."""

    def send_sync(self, job: Job) -> Outcome:
        raise NotImplementedError

    async def send(self, job: Job, client: PostClient) -> Outcome:
        return await asyncio.to_thread(self.send_sync, job)


_registry: dict[str, Transport] = {}


def register(transport: Transport) -> Transport:
    _registry[transport.kind] = transport
    return transport


def get(kind: str) -> Transport:
    try:
        return _registry[kind]
    except KeyError:
        raise LookupError(f"no outbox transport registered for kind {kind!r}") from None


def kinds() -> list[str]:
    return sorted(_registry)
