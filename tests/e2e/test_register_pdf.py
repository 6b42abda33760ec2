"""A register report's PDF in the browser: "Prepare a PDF" leads to a page that says
"Preparing…", which updates by itself (HTMX polling) once the worker has drawn the PDF, and then
downloads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core import services as core_services
from clinic.core.dates import show_date
from clinic.core.tasks import render_document
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.inventory.tests.factories import SafeFactory, receive, registration
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


class QueueWithoutWorker:
    """Stands in for the task queue: keeps what was enqueued until the test runs it, as the
    worker would some seconds later."""

    def __init__(self):
        self.queued: list[str] = []

    def enqueue(self, *, document_id: str) -> None:
        self.queued.append(document_id)


def test_the_ledger_pdf_is_prepared_then_downloaded(open_page, monkeypatch):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Nora")
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    for user in (nurse, clinician):
        user.locations.set([location])
    safe = SafeFactory(location=location, name="Main safe")
    registration(location)
    container = receive(nurse, clinician, safe).containers.get()
    queue = QueueWithoutWorker()
    monkeypatch.setattr(core_services, "render_document", queue)

    page = open_page()
    sign_in(page, "nurse@clinic.test", PASSWORD)
    today = timezone.localdate().isoformat()
    page.goto(f"/inventory/ledger/?start={today}&end={today}")
    expect(page.get_by_text(container.identifier)).to_be_visible()
    page.get_by_role("button", name="Prepare a PDF").click()
    expect(page.get_by_text("Preparing…")).to_be_visible()
    expect(
        page.get_by_role(
            "heading",
            name=f"Ledger, every safe, every product, {show_date(timezone.localdate())}",
        )
    ).to_be_visible()

    assert len(queue.queued) == 1
    render_document.call(document_id=queue.queued[0])
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=10_000)  # the page polls every 2 s
    with page.expect_download() as download_info:
        download_link.click()
    saved = Path(download_info.value.path())
    assert saved.read_bytes().startswith(b"%PDF-")
    assert download_info.value.suggested_filename.endswith(".pdf")
