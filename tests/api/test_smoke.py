from __future__ import annotations

from monopilot.api.testing import ApiClient


def test_me_and_catalogue(api: ApiClient) -> None:
    r = api.get("/api/v1/me")
    assert r.status_code == 200, r.content
    assert r["X-RateLimit-Limit"] == "1000"
    r = api.get("/api/v1/event-types")
    assert r.status_code == 200, r.content
    assert r.json()["data"]


def test_openapi_and_docs(db: None) -> None:
    c = ApiClient()
    r = c.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    r = c.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/api/swagger/swagger-ui-bundle.js" in html


def test_root_urlconf_mounts_the_api() -> None:
    from django.urls import get_resolver

    from monopilot import urls

    assert any("api/v1/" in str(p.pattern) for p in urls.urlpatterns)
    assert get_resolver("monopilot.urls").resolve("/api/v1/openapi.json").url_name == "openapi-json"
