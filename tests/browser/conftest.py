"""Real Chromium (Debian's /usr/bin/chromium) driving the console on pytest-django's live server.

Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
calls from it unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the tests create their data here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "pw-test-123"


@pytest.fixture
def page_factory(browser: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def make(width: int = 1366, height: int = 900, locale: str = "en-GB") -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(30_000)  # the machine is shared; slow is not broken
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot() -> Callable[[Any, str], Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def sign_in(live_server: Any) -> Callable[[Any, str], None]:
    def do(page: Any, email: str) -> None:
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", PASSWORD)
        page.click("[data-testid=login-form] button[type=submit]")
        page.wait_for_url("**/integrations/dashboard")

    return do
