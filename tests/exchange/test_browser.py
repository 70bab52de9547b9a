"""The export and import screens in real Chromium (Debian's /usr/bin/chromium)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from .support import make_catalogue, make_world

CHROMIUM = Path("/usr/bin/chromium")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "exchange.urls"


@pytest.fixture
def page(live_server: Any, owner: Any, browser: Any) -> Iterator[Any]:
    client = Client()
    client.force_login(owner)  # the login screen is the console's, tested there
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    context.set_default_timeout(30_000)
    cookie = {"name": settings.SESSION_COOKIE_NAME, "url": live_server.url, "value": session}
    context.add_cookies([cookie])
    tab = context.new_page()
    tab.base = live_server.url
    yield tab
    context.close()


@pytest.fixture
def world(org):
    # ORM calls happen before Playwright starts its event loop: inside it Django would hand
    # out another connection that is never closed (PostgreSQL then cannot drop the test DB).
    make_world(org)


@pytest.fixture
def catalogue_only(org):
    make_catalogue(org)


def test_export_products_and_download(world, page):
    page.goto(page.base + "/integrations/export")
    page.select_option("#entity", "products")
    page.select_option("#format", "json")
    page.click("[data-testid=export-submit]")
    link = page.locator("[data-testid=export-download]").first
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.startswith(
        "products_"
    ) and info.value.suggested_filename.endswith(".json")
    assert b'"export_metadata"' in Path(info.value.path()).read_bytes()


def test_import_with_errors_then_valid_rows(catalogue_only, tmp_path, page):
    upload = tmp_path / "products.csv"
    upload.write_text(
        "product_code,name,type,unit\nB-1,Ok,raw_material,kg\nB-2,Bad,raw_material,tons\n"
    )
    page.goto(page.base + "/integrations/import")
    page.click("[data-testid=use-products]")
    page.set_input_files("[data-testid=upload-file]", str(upload))
    page.click("[data-testid=upload-submit]")
    page.wait_for_url("**/integrations/import/jobs/*")
    assert "Unknown unit 'tons'" in page.inner_text("[data-testid=errors-table]")
    assert page.inner_text("[data-testid=count-invalid]") == "1"
    with page.expect_download() as info:
        page.click("[data-testid=errors-download]")
    assert "3,unit," in Path(info.value.path()).read_text(encoding="utf-8-sig")
    page.check("[data-testid=valid-only]")
    page.click("[data-testid=commit-submit]")
    page.wait_for_selector("[data-testid=import-state]:has-text('Completed')")
    assert page.inner_text("[data-testid=count-created]") == "1"
