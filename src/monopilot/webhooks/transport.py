"""The webhook transport of the outbox: headers, signing, the POST, endpoint health.

Wire format (DECISIONS): the stored body bytes, `webhook-id` (stable per message: retries
and replays keep it), `webhook-timestamp` (this attempt), `webhook-signature` (v1, both
secrets during a rotation), `X-MonoPilot-Event`, `X-MonoPilot-Delivery-ID` (this attempt's
id), `X-MonoPilot-Signature` (sha256 hex of the body), then the endpoint's custom headers.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from django.db import connection
from django.utils import timezone

from monopilot.core import fastsql, http
from monopilot.core.postclient import BadResponse, PostClient
from monopilot.integration_logs.services import log_integration
from monopilot.outbox import alerts
from monopilot.outbox.transport import SEND, Job, Limits, Outcome, Transport, Verdict, register
from monopilot.webhooks import signing
from monopilot.webhooks.models import Endpoint, EndpointStatus

DISABLE_AFTER = timedelta(days=5)
WARN_BEFORE_DISABLE = timedelta(days=1)
TEST_MESSAGE = "Test webhook from MonoPilot"
CANNOT_REACH = "Cannot reach webhook URL — Check firewall and DNS settings"


@dataclass(frozen=True)
class EndpointConfig:
    id: uuid.UUID
    url: str
    keys: tuple[bytes, ...]
    headers: tuple[tuple[str, str], ...]
    status: str
    deleted: bool
    limits: Limits

    @classmethod
    def load(cls, endpoint: Endpoint) -> EndpointConfig:
        from monopilot.webhooks.services import endpoint_headers, endpoint_keys

        return cls(
            id=endpoint.id,
            url=endpoint.url,
            keys=tuple(endpoint_keys(endpoint)),
            headers=tuple(endpoint_headers(endpoint).items()),
            status=endpoint.status,
            deleted=endpoint.deleted_at is not None,
            limits=Limits(
                concurrency=endpoint.max_concurrency,
                rate_per_second=endpoint.rate_limit,
                timeout=float(endpoint.timeout_seconds or http.default_timeout()),
            ),
        )


def build_headers(
    config: EndpointConfig, *, msg_id: str, delivery_id: uuid.UUID, event_type: str, body: bytes
) -> dict[str, str]:
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "X-MonoPilot-Event": event_type,
        "X-MonoPilot-Delivery-ID": str(delivery_id),
    }
    headers.update(signing.signature_headers(config.keys, msg_id, timestamp, body))
    headers.update(config.headers)
    return headers


def visible_headers(config: EndpointConfig, headers: dict[str, str]) -> dict[str, str]:
    """What an attempt row keeps: custom header values are masked (they carry credentials)."""
    if not config.headers:
        return headers  # nothing to hide; the dict is not changed after the send
    custom = {name for name, _ in config.headers}
    return {k: ("***REDACTED***" if k in custom else v) for k, v in headers.items()}


class WebhookTransport(Transport):
    kind = "webhook"
    log_type = "webhook"

    def __init__(self) -> None:
        self.configs: dict[uuid.UUID, tuple[Any, EndpointConfig]] = {}

    # -- database thread ------------------------------------------------------------------

    def prepare(self, jobs: list[Job]) -> dict[uuid.UUID, Verdict]:
        """Endpoint configs for the batch: one light query for their `updated_at`, and a
        full load (secrets decrypted) only for endpoints edited since they were cached."""
        ids = {job.target_id for job in jobs}
        stamps = _updated_stamps(ids)
        for gone in ids - stamps.keys():
            self.configs.pop(gone, None)
        edited = [i for i, stamp in stamps.items() if self.configs.get(i, (None,))[0] != stamp]
        if edited:
            for endpoint in Endpoint.objects.filter(id__in=edited):
                self.configs[endpoint.id] = (stamps[endpoint.id], EndpointConfig.load(endpoint))
        return {job.id: self._verdict(job) for job in jobs}

    def _verdict(self, job: Job) -> Verdict:
        cached = self.configs.get(job.target_id)
        if cached is None or cached[1].deleted:
            return Verdict("dead", "Endpoint deleted")
        config = cached[1]
        if config.status == EndpointStatus.PAUSED and not job.manual:
            return Verdict("hold", "Endpoint paused")
        if config.status == EndpointStatus.DISABLED:
            return Verdict("dead", "Endpoint disabled")
        return SEND

    def limits(self, target_id: uuid.UUID) -> Limits:
        cached = self.configs.get(target_id)
        return cached[1].limits if cached else Limits()

    # -- event loop -----------------------------------------------------------------------

    async def send(self, job: Job, client: PostClient) -> Outcome:
        config = self.configs[job.target_id][1]
        headers = build_headers(
            config,
            msg_id=job.message_id,
            delivery_id=job.delivery_id,
            event_type=job.event_type,
            body=job.payload,
        )
        started = timezone.now()
        outcome = Outcome(
            job=job, ok=False, started_at=started, request_headers=visible_headers(config, headers)
        )
        clock = time.perf_counter()
        try:
            response = await client.post(
                config.url, body=job.payload, headers=headers, timeout=config.limits.timeout
            )
        except http.UnsafeURLError as exc:
            outcome.error = f"Refused by the SSRF guard: {exc}"
            outcome.final_reason = outcome.error
        except TimeoutError:
            outcome.error = f"Request timeout after {config.limits.timeout:g} seconds"
        except BadResponse as exc:
            outcome.error = f"The receiver's answer is not HTTP: {exc}"[:1000]
        except OSError as exc:
            outcome.error = f"{CANNOT_REACH} ({type(exc).__name__}: {exc})"[:1000]
        else:
            outcome.ok = 200 <= response.status < 300
            outcome.http_status = response.status
            outcome.response_body = response.text()
            outcome.retry_after = response.headers.get("Retry-After")
            if not outcome.ok:
                outcome.error = f"HTTP {response.status}"
        outcome.duration_ms = int((time.perf_counter() - clock) * 1000)
        return outcome

    # -- recording transaction ------------------------------------------------------------

    def after(self, outcomes: list[Outcome]) -> None:
        per_endpoint: dict[uuid.UUID, list[Outcome]] = defaultdict(list)
        for outcome in outcomes:
            per_endpoint[outcome.job.target_id].append(outcome)
        now = timezone.now()
        for endpoint_id, group in per_endpoint.items():
            failed = sum(1 for o in group if not o.ok)
            _execute(
                "UPDATE {table} SET total_deliveries = total_deliveries + %s, "
                "failed_deliveries = failed_deliveries + %s, last_triggered_at = %s "
                "WHERE id = %s",
                [len(group), failed, fastsql.datetime_param(now), fastsql.uuid_param(endpoint_id)],
            )
            self._health(endpoint_id, group, now)

    def _health(self, endpoint_id: uuid.UUID, group: list[Outcome], now: Any) -> None:
        from monopilot.webhooks.services import endpoint_disable

        if group[-1].ok:
            changed = _execute(
                "UPDATE {table} SET failing_since = NULL "
                "WHERE id = %s AND failing_since IS NOT NULL",
                [fastsql.uuid_param(endpoint_id)],
            )
            if changed:
                org_id = group[-1].job.org_id
                alerts.resolve_alerts(
                    org_id=org_id,
                    target_id=endpoint_id,
                    codes=["endpoint_failing", "endpoint_disable_soon"],
                )
            return
        endpoint = Endpoint.objects.filter(id=endpoint_id).first()
        if endpoint is None or endpoint.status == EndpointStatus.DISABLED:
            return
        if any(o.http_status == 410 for o in group):
            endpoint_disable(endpoint=endpoint, reason="The receiver answered 410 Gone")
            self._alert(endpoint, "endpoint_disabled", "disabled: the receiver answered 410 Gone")
            return
        if endpoint.failing_since is None:
            Endpoint.objects.filter(id=endpoint_id).update(failing_since=now)
            self._alert(endpoint, "endpoint_failing", f"is failing: {group[-1].error}")
            return
        failing_for = now - endpoint.failing_since
        if failing_for >= DISABLE_AFTER:
            endpoint_disable(endpoint=endpoint, reason="Failing continuously for 5 days")
            self._alert(endpoint, "endpoint_disabled", "disabled after failing for 5 days")
        elif failing_for >= DISABLE_AFTER - WARN_BEFORE_DISABLE:
            when = (endpoint.failing_since + DISABLE_AFTER).isoformat()
            self._alert(endpoint, "endpoint_disable_soon", f"will be disabled at {when}")

    def _alert(self, endpoint: Endpoint, code: str, text: str) -> None:
        alerts.raise_alert(
            org_id=endpoint.org_id,
            code=code,
            message=f"Webhook {endpoint.name!r} ({endpoint.url}) {text}",
            target_kind="webhook",
            target_id=endpoint.id,
        )

    def log_fields(self, outcome: Outcome) -> dict[str, Any]:
        return {"webhook_id": outcome.job.target_id, "external_system": outcome.job.target_label}


def _updated_stamps(ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """`updated_at` of these endpoints as the database returns it (compared, not read)."""
    if not ids:
        return {}
    by_param = {fastsql.uuid_param(i): i for i in ids}
    table = connection.ops.quote_name(Endpoint._meta.db_table)
    marks = ", ".join(["%s"] * len(by_param))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, updated_at FROM {table} WHERE id IN ({marks})",  # noqa: S608
            list(by_param),
        )
        return {by_param[row_id]: stamp for row_id, stamp in cursor.fetchall()}


def _execute(sql: str, params: list[Any]) -> int:
    """Hand-written SQL for the recording batch's per-endpoint updates (the ORM compiled
    them for every batch, at a cost above running them); returns the rows changed."""
    table = connection.ops.quote_name(Endpoint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)
        return int(cursor.rowcount)


transport = register(WebhookTransport())


# --- test send (synchronous, through the httpx side of core.http) -------------------------


def send_test(endpoint: Endpoint) -> Any:
    from monopilot.webhooks.services import TestResult, serialize

    config = EndpointConfig.load(endpoint)
    now = timezone.now()
    body = serialize(
        {
            "id": str(uuid.uuid4()),
            "type": "test",
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "org_id": str(endpoint.org_id),
            "data": {"message": TEST_MESSAGE},
        }
    )
    delivery_id = uuid.uuid4()
    msg_id = f"msg_test_{delivery_id.hex}"
    headers = build_headers(
        config, msg_id=msg_id, delivery_id=delivery_id, event_type="test", body=body
    )
    result = TestResult(False, None, None, "", "", str(delivery_id))
    started = time.perf_counter()
    try:
        response = http.request(
            "POST", config.url, content=body, headers=headers, timeout=config.limits.timeout
        )
    except http.UnsafeURLError as exc:
        result.error = f"Refused by the SSRF guard: {exc}"
    except httpx.TimeoutException:
        result.error = f"Request timeout after {config.limits.timeout:g} seconds"
    except (httpx.HTTPError, OSError):
        result.error = CANNOT_REACH
    else:
        result.ok = 200 <= response.status < 300
        result.http_status = response.status
        result.response_body = response.text()
        if not result.ok:
            result.error = f"HTTP {response.status}"
    result.duration_ms = int((time.perf_counter() - started) * 1000)
    log_integration(
        org=endpoint.org_id,
        integration_type="webhook",
        direction="outbound",
        status="success" if result.ok else "error",
        event_type="test",
        http_status=result.http_status,
        request_body=json.loads(body),
        response_body=result.response_body or None,
        error_message=result.error,
        webhook_id=endpoint.id,
        external_id=msg_id,
        correlation_id=msg_id,
        duration_ms=result.duration_ms,
        metadata={"delivery_id": str(delivery_id), "test": True},
    )
    return result
