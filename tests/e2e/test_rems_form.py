"""The esketamine REMS Patient Monitoring Form of the demo clinic's esketamine session, in the
browser: the nurse finds it among the forms due, draws it as a PDF (the worker's turn taken by the
test) and the PDF carries the session's blood pressures and the kit's lot; then records its
submission."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.core import services as core_services
from clinic.core.tasks import render_document
from clinic.core.tests.pdf import pdf_text
from clinic.demo.data import DEMO_ESKETAMINE_LOT, STAFF_ACCOUNTS, build_demo_clinic
from clinic.sessions.models import RemsFormSubmission, TreatmentSession
from clinic.sessions.tests.factories import due_label
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


class QueueWithoutWorker:
    def __init__(self):
        self.queued: list[str] = []

    def enqueue(self, *, document_id: str) -> None:
        self.queued.append(document_id)


def test_the_demo_esketamine_sessions_form_carries_its_blood_pressures_and_lot(
    open_page, monkeypatch
):
    build_demo_clinic()
    session = TreatmentSession.objects.get(route="intranasal")
    pressures = [
        f"{r.vital_signs.systolic_mmhg}/{r.vital_signs.diastolic_mmhg} mmHg"
        for r in session.readings.select_related("vital_signs").order_by("taken_at")
    ]
    # Before dosing, at 40 minutes (the fourth reading of five is at 90) and before the end.
    expected = [pressures[0], pressures[2], pressures[-1]]
    queue = QueueWithoutWorker()
    monkeypatch.setattr(core_services, "render_document", queue)
    nurse = next(a for a in STAFF_ACCOUNTS if a.email == "nurse@demo.clinic")

    page = open_page()
    sign_in(page, nurse.email, nurse.password)
    page.goto("/sessions/")
    page.get_by_role("link", name="Esketamine REMS forms →").click()
    # "Due in 7 days" on the treatment's own local day (counted from it, whatever the hour).
    expect(page.get_by_text(due_label(session))).to_be_visible()
    page.get_by_role("link", name="Open the form").click()
    expect(
        page.get_by_role("heading", name="Esketamine REMS: Patient Monitoring Form")
    ).to_be_visible()
    for value in expected:
        expect(page.locator("#rems-preview")).to_contain_text(value)
    page.get_by_role("button", name="Draw the form as a PDF").click()
    expect(page.get_by_text("Preparing…")).to_be_visible()
    assert len(queue.queued) == 1
    render_document.call(document_id=queue.queued[0])
    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=10_000)
    with page.expect_download() as download_info:
        link.click()
    text = pdf_text(Path(download_info.value.path()).read_bytes())
    for value in [*expected, DEMO_ESKETAMINE_LOT, "PT-5530981", "SPR-HCS-004217"]:
        assert value in text, value

    page.goto(f"/sessions/{session.public_id}/rems-form/")
    page.get_by_label("Submitted on").fill(
        timezone.localdate(timezone.now(), session.location.zone).isoformat()
    )
    page.get_by_label("REMS confirmation number").fill("PMF-77120")
    page.get_by_role("button", name="Record the submission").click()
    expect(page.get_by_text("The REMS form's submission is recorded.")).to_be_visible()
    expect(page.locator("#rems-standing")).to_contain_text("Submitted")
    assert RemsFormSubmission.objects.get().confirmation_number == "PMF-77120"
