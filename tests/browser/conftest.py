"""Real-browser fixtures: Debian's Chromium through Playwright against pytest-django's live server.

Every persona (the student, each office expert) gets its own browser context, so sessions
never leak between them. When a test fails, each open page is saved as a PNG under
``test-results/<test>/`` (pytest-playwright's ``--output`` folder).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, Playwright

# The live server runs in a thread of this process while Playwright's sync API keeps an
# event loop running in the main thread; Django would otherwise refuse ORM calls here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 360, "height": 740},
}

# Fail fast: a missing element should not stall the suite for Playwright's default 30 s.
TIMEOUT_MS = 10_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after every other database test.

    pytest-django puts transactional tests last, but pytest then regroups the tests that
    share pytest-playwright's parametrized session fixture (``browser_name``) and moves these
    live-server tests among the others. Their flush at the end would leave the tests that
    follow without the reference data seeded by the migrations.
    """
    here = Path(__file__).parent
    browser = [item for item in items if here in Path(item.path).parents]
    others = [item for item in items if here not in Path(item.path).parents]
    items[:] = others + browser


@pytest.fixture(scope="session")
def _seeded_snapshot(django_db_setup: None) -> str | None:
    """Django's snapshot of the freshly migrated test database (for serialized rollbacks)."""
    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture(scope="session")
def playwright(_seeded_snapshot: str | None, playwright: Playwright) -> Playwright:
    """Start Playwright, keeping serialized rollbacks working after it started.

    Playwright's sync API leaves an event loop running in this thread, so from then on
    asgiref hands Django a different connection object, one without the snapshot taken at
    database creation; the serialized rollback of a live-server test would then silently
    restore nothing, and the migrations' reference data would be gone after a flush. The
    snapshot is read before Playwright starts (the argument order) and given to that
    connection too.
    """
    if _seeded_snapshot is not None:
        connection._test_serialized_contents = _seeded_snapshot  # type: ignore[attr-defined]
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Playwright's own browser download fails on these machines; Debian's Chromium works.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def open_browser(
    browser: Browser, live_server: Any, request: pytest.FixtureRequest, output_path: str
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (one per persona) on the live server.

    Any script, style or font the Content-Security-Policy blocks fails the test.
    """
    pages: dict[str, Page] = {}
    blocked: list[str] = []

    def open_page(name: str, viewport: str = "desktop") -> Page:
        assert name not in pages, f"{name} already has a browser"
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORTS[viewport],
            locale="fa-IR",
            timezone_id="Asia/Tehran",
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                blocked.append(f"{name}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        pages[name] = page
        return page

    yield open_page

    report = getattr(request.node, "rep_call", None)
    failed = report is None or report.failed
    for name, page in pages.items():
        if failed:
            folder = Path(output_path)
            folder.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=folder / f"{name}.png", full_page=True)
            except Exception as exc:  # the page may have crashed; keep the other screenshots
                print(f"[tasvieh] no screenshot of {name}: {exc}")
        page.context.close()
    assert not blocked, "blocked by the Content-Security-Policy:\n" + "\n".join(blocked)
