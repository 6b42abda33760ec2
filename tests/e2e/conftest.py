"""Browser tests: Playwright's Python package driving Debian's Chromium (its own browser download
does not work here). Without a browser they skip, unless CLINIC_REQUIRE_BROWSER=1 (CI), where a
missing browser fails the run."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.e2e.accessibility import check_open_pages, watch_staff_pages

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium not found at {CHROMIUM_PATH}; install Debian's chromium package."
        if os.environ.get("CLINIC_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in the test's thread, and Django
    # refuses database calls from a thread with a running loop (SynchronousOnlyOperation). The
    # browser tests set up their data through the ORM in that thread, so while a browser is open
    # (and only then) the check is lifted; the live server's own threads never run a loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.stash.setdefault(_FAILED, True)


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def open_page(browser, request, live_server):
    """Open pages in a fresh browser context of the given viewport; screenshot each on failure.

    Every staff page the test shows is checked by axe-core (tests/e2e/accessibility.py): a WCAG
    2.x A/AA violation on any of them fails the test."""
    contexts = []
    violations: list[str] = []

    def opener(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append((context, watch_staff_pages(context)))
        return context.new_page()

    yield opener
    for context, found in contexts:
        check_open_pages(context, found)
        violations.extend(found)
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        for index, (context, _found) in enumerate(contexts):
            for number, page in enumerate(context.pages):
                page.screenshot(
                    path=str(ARTIFACTS / f"{request.node.name}-{index}-{number}.png"),
                    full_page=True,
                )
    for context, _found in contexts:
        context.close()
    if violations:
        pytest.fail(
            "axe-core found WCAG 2.x A/AA violations on staff pages:\n"
            + "\n".join(dict.fromkeys(violations)),
            pytrace=False,
        )


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^E-mail address")).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
