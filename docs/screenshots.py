"""Take the screenshots in docs/screenshots/: each role's main page in the demo clinic.

    make screenshots

Builds a throwaway demo clinic (SQLite in a temporary directory), serves it on a free local port,
signs in as each demo account in Debian's Chromium (through Playwright) and saves one PNG per page
into docs/screenshots/. Run it after a change to a page a role lands on, and commit the pictures.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}

# (file, who signs in, password, page, viewport, what it shows). The demo's sign-ins are printed
# by `make run` and listed in the README.
SHOTS = [
    (
        "front-desk-queue",
        "frontdesk@demo.clinic",
        "frontdesk-demo-2026",
        "/consultations/",
        DESKTOP,
        "The front desk's consultation queue",
    ),
    (
        "front-desk-calendar",
        "frontdesk@demo.clinic",
        "frontdesk-demo-2026",
        "/calendar/",
        DESKTOP,
        "The day's calendar",
    ),
    (
        "clinician-dashboard",
        "clinician@demo.clinic",
        "clinician-demo-2026",
        "/dashboard/",
        DESKTOP,
        "The clinical dashboard: safety alerts, who is due, progress",
    ),
    (
        "clinician-chart",
        "clinician@demo.clinic",
        "clinician-demo-2026",
        "chart",
        DESKTOP,
        "A patient's chart",
    ),
    (
        "nurse-board",
        "nurse@demo.clinic",
        "nurse-demo-2026",
        "/sessions/",
        TABLET,
        "Today's chairs on the nurse's tablet",
    ),
    (
        "nurse-session",
        "nurse@demo.clinic",
        "nurse-demo-2026",
        "session",
        TABLET,
        "A treatment session at the chair: live vital signs, the dose, the stock",
    ),
    (
        "director-register",
        "director@demo.clinic",
        "director-demo-2026",
        "/inventory/",
        DESKTOP,
        "The controlled-substance register",
    ),
    (
        "director-audit",
        "director@demo.clinic",
        "director-demo-2026",
        "/audit/",
        DESKTOP,
        "The audit trail",
    ),
    (
        "patient-portal",
        "alice@demo.clinic",
        "patient-demo-2026",
        "/accounts/home/",
        PHONE,
        "The patient's portal on a phone",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env, *args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The demo server did not answer at {url}.")


def _sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^E-mail address")).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def _resolve(page, target: str) -> str:
    """A fixed address, or the first patient's chart or in-progress session from the lists."""
    if target == "chart":
        page.goto("/patients/")
        return page.locator("table a[href^='/patients/']").first.get_attribute("href")
    if target == "session":
        page.goto("/sessions/")
        return page.get_by_role("link", name="Open").first.get_attribute("href")
    return target


def main() -> None:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "CLINIC_ENVIRONMENT": "development",
            "DATABASE_URL": f"sqlite:///{scratch}/screens.sqlite3",
        }
        _manage(env, "migrate", "--no-input", "-v0")
        _manage(env, "load_demo_clinic")
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base + "/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                for name, email, password, target, viewport, _caption in SHOTS:
                    context = browser.new_context(viewport=viewport, base_url=base)
                    page = context.new_page()
                    _sign_in(page, email, password)
                    page.goto(_resolve(page, target))
                    page.wait_for_load_state("load")
                    # Let HTMX fill the live parts (the session page polls, so never "idle").
                    page.wait_for_timeout(1500)
                    page.screenshot(path=str(OUT / f"{name}.png"))
                    print(f"docs/screenshots/{name}.png")
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
