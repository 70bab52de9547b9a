"""/api/v1/webhooks, /events, /retry-queue, /dead-letters through a tiny NinjaAPI that
mounts our routers with a fixed principal (independent of the key framework)."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from monopilot.outbox.api import dead_letters_router
from monopilot.outbox.api import router as retry_router
from monopilot.outbox.dispatcher import drain_once
from monopilot.outbox.models import Message
from monopilot.webhooks.api import events_router, router
from monopilot.webhooks.receiver import Answer
from webhooks.helpers import api_client, emit


@pytest.fixture
def client(org):
    return api_client(
        org, webhooks=router, events=events_router, retry_queue=retry_router,
        dead_letters=dead_letters_router,
    )  # fmt: skip


@pytest.fixture
def other_client(other_org):
    return api_client(other_org, webhooks=router, dead_letters=dead_letters_router)


def _create(client, url: str, **extra):
    body = {"name": "ERP sync", "url": url, "event_types": ["whtest.created"], **extra}
    return client.post("/webhooks", json=body)


def test_create_returns_the_secret_once(client, receiver) -> None:
    response = _create(client, receiver.url, headers={"Authorization": "Bearer abc"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["headers"] == {"Authorization": "***"}
    assert body["retry_policy"] == "exponential" and body["max_retries"] == 7
    again = client.get(f"/webhooks/{body['id']}").json()
    assert "secret" not in again
    listed = client.get("/webhooks").json()
    assert [e["name"] for e in listed] == ["ERP sync"]
    assert listed[0]["success_rate"] == "100% (0/0)" and listed[0]["event_count"] == 1


@pytest.mark.parametrize(
    ("extra", "status", "message", "field"),
    [
        ({"url": "http://example.com/h"}, 422, "Webhook URL must use HTTPS", "url"),
        ({"event_types": []}, 422, "At least one event subscription required", "event_types"),
        ({"event_types": ["nope"]}, 422, "Unknown event type 'nope'", "event_types"),
        (
            {"headers": {"X-MonoPilot-Signature": "x"}},
            422,
            "Header is reserved and cannot be customized",
            "headers.X-MonoPilot-Signature",
        ),
        (
            {"headers": {"content-type": "text/plain"}},
            422,
            "Header is reserved and cannot be customized",
            "headers.content-type",
        ),
        ({"retry_policy": "sometimes"}, 422, "Retry policy must be", "retry_policy"),
    ],
)
def test_bad_input_names_the_field(client, extra, status, message, field) -> None:
    body = {"name": "n", "url": "https://hooks.example.com/h", "event_types": ["whtest.created"]}
    response = client.post("/webhooks", json={**body, **extra})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"].startswith(message)
    assert error["details"]["field"] == field


def test_name_is_unique_per_org(client, other_client) -> None:
    url = "https://hooks.example.com/h"
    assert _create(client, url).status_code == 201
    duplicate = _create(client, url)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["message"] == "A webhook named 'ERP sync' already exists"
    assert _create(other_client, url).status_code == 201


def test_update_pause_resume_rotate(client, receiver, org) -> None:
    created = _create(client, receiver.url).json()
    path = f"/webhooks/{created['id']}"
    patched = client.patch(path, json={"retry_policy": "immediate", "rate_limit": 5})
    assert patched.status_code == 200
    assert patched.json()["max_retries"] == 3 and patched.json()["rate_limit"] == 5
    assert client.post(path + "/pause").json()["status"] == "paused"
    assert client.post(path + "/resume").json()["status"] == "active"
    rotated = client.post(path + "/rotate-secret").json()
    assert rotated["secret"] != created["secret"] and rotated["previous_secret_valid_until"]
    emit(org)
    drain_once()
    got = receiver.requests[-1]
    Webhook(rotated["secret"]).verify(got.body, got.headers)
    Webhook(created["secret"]).verify(got.body, got.headers)


def test_test_send_shows_status_time_and_body(client, receiver) -> None:
    created = _create(client, receiver.url).json()
    receiver.script.append(Answer(202, "accepted!"))
    result = client.post(f"/webhooks/{created['id']}/test").json()
    assert result["ok"] and result["http_status"] == 202 and result["response_body"] == "accepted!"
    assert result["duration_ms"] is not None
    sent = receiver.requests[-1]
    payload = Webhook(created["secret"]).verify(sent.body, sent.headers)
    assert payload["type"] == "test"
    assert payload["data"] == {"message": "Test webhook from MonoPilot"}


def test_test_send_to_a_dead_port(client, allow_private) -> None:
    created = _create(client, "http://127.0.0.1:9/h").json()
    result = client.post(f"/webhooks/{created['id']}/test").json()
    assert not result["ok"]
    assert result["error"] == "Cannot reach webhook URL — Check firewall and DNS settings"


def test_delete_refused_while_pending_then_soft_deleted(client, receiver, org) -> None:
    created = _create(client, receiver.url).json()
    path = f"/webhooks/{created['id']}"
    emit(org)
    emit(org)
    refused = client.delete(path)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "2 pending deliveries - pause instead?"
    drain_once()
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert Message.objects.count() == 2  # past deliveries stay


def test_deliveries_and_replay(client, receiver, org) -> None:
    created = _create(client, receiver.url, max_retries=0).json()
    path = f"/webhooks/{created['id']}"
    event = emit(org)
    receiver.script.append(Answer(500, "boom"))
    drain_once()
    [row] = client.get(path + "/deliveries").json()
    assert row["status"] == "dead" and row["attempts_label"] == "1 of 1"
    assert row["event_id"] == str(event.id) and row["http_status"] == 500
    detail = client.get(f"{path}/deliveries/{row['id']}").json()
    assert detail["attempt_list"][0]["response_body"] == "boom"
    assert '"type":"whtest.created"' in detail["payload"]
    replay = client.post(f"{path}/deliveries/{row['id']}/replay")
    assert replay.status_code == 202 and replay.json() == {"replayed": 1}
    drain_once()
    assert client.get(path + "/deliveries").json()[0]["status"] == "delivered"
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]


def test_retry_queue_and_dead_letter_endpoints(client, receiver, org) -> None:
    _create(client, receiver.url)
    emit(org)
    receiver.script.append(Answer(503))
    drain_once()
    [item] = client.get("/retry-queue").json()
    assert item["retry_count"] == "1 / 8" and item["next_attempt_at"]
    assert client.post("/retry-queue/skip", json={"ids": [item["id"]]}).json() == {"count": 1}
    [dead] = client.get("/dead-letters").json()
    assert dead["dead_reason"] == "Skipped by api key"
    assert client.get(f"/dead-letters/{dead['id']}").status_code == 200
    replayed = client.post(f"/dead-letters/{dead['id']}/replay", json={"note": "fixed"})
    assert replayed.status_code == 202
    drain_once()
    assert client.get("/dead-letters").json() == []
    assert Message.objects.get().status == "delivered"


def test_dead_letter_bulk_replay_by_filter_and_delete(client, receiver, org) -> None:
    created = _create(client, receiver.url, max_retries=0).json()
    for n in range(3):
        emit(org, number=str(n))
    receiver.script.extend(Answer(500) for _ in range(3))
    drain_once()
    ids = [d["id"] for d in client.get("/dead-letters").json()]
    assert len(ids) == 3
    deleted = client.post("/dead-letters/delete", json={"ids": ids[:1]})
    assert deleted.json() == {"count": 1}
    assert client.delete(f"/dead-letters/{ids[1]}").status_code == 204
    replayed = client.post("/dead-letters/replay", json={"target_id": created["id"]})
    assert replayed.json() == {"count": 1}


def test_events_and_catalogue(client, org) -> None:
    event = emit(org, number="SO-9")
    [listed] = [e for e in client.get("/events").json() if e["id"] == str(event.id)]
    assert listed["data"] == {"number": "SO-9"} and listed["type"] == "whtest.created"
    types = {t["name"]: t for t in client.get("/events/types").json()}
    assert types["whtest.created"]["schema"]["type"] == "object"
    assert types["whtest.created"]["example"] == {"number": "SO-1"}


def test_other_tenant_sees_404_everywhere(client, other_client, receiver, org) -> None:
    created = _create(client, receiver.url, max_retries=0).json()
    emit(org)
    receiver.script.append(Answer(500))
    drain_once()
    dead_id = Message.objects.get().id
    path = f"/webhooks/{created['id']}"
    for call in (
        lambda: other_client.get(path),
        lambda: other_client.patch(path, json={"name": "x"}),
        lambda: other_client.post(path + "/pause"),
        lambda: other_client.post(path + "/test"),
        lambda: other_client.delete(path),
        lambda: other_client.get(path + "/deliveries"),
        lambda: other_client.get(f"/dead-letters/{dead_id}"),
        lambda: other_client.post(f"/dead-letters/{dead_id}/replay", json={}),
        lambda: other_client.delete(f"/dead-letters/{dead_id}"),
    ):
        response = call()
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
    assert other_client.get("/webhooks").json() == []


def test_scope_is_required(org) -> None:
    client = api_client(org, scopes=frozenset({"read:orders"}), webhooks=router)
    response = client.get("/webhooks")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Insufficient scope: webhook:manage required"
