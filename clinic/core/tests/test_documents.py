"""Generated documents (clinic.core.documents): asked for, drawn by the task into a real PDF,
waited for on a page that polls, downloaded only by those who may, every step audited, and a
failure recorded with its message."""

from __future__ import annotations

import base64
import hashlib
import sys
import uuid

import pytest
from django.urls import reverse

from clinic.accounts.choices import Role
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core import documents
from clinic.core.choices import DocumentStatus
from clinic.core.documents import PDF_UNAVAILABLE, DocumentKind, html_to_pdf
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.core.models import GeneratedDocument
from clinic.core.services import request_document
from clinic.core.tasks import DRAWING_FAILED, render_document
from clinic.core.tests.pdf import pdf_text
from conftest import client_for

pytestmark = pytest.mark.django_db

EVENT = AuditEventType.PATIENT_RECORD_EXPORTED


def _context(document):
    return {"note": document.parameters.get("note", "")}


def _refused(document):
    raise ClinicError("The record this letter is about has been closed.")


def _broken(document):
    raise RuntimeError("a bug")


@pytest.fixture
def kinds(monkeypatch):
    """Three kinds for the tests: one that draws, one whose data is refused, one that breaks.
    Clinicians and nurses may ask; others at the document's location may download."""

    def at_location(user, document):
        return (
            document.location_id is not None
            and user.locations.filter(pk=document.location_id).exists()
        )

    def clinical(user):
        return user.role in (Role.CLINICIAN, Role.NURSE, Role.MEDICAL_DIRECTOR)

    for code, context in (
        ("tests.letter", _context),
        ("tests.refused", _refused),
        ("tests.broken", _broken),
    ):
        monkeypatch.setitem(
            documents._KINDS,
            code,
            DocumentKind(
                code=code,
                label="test letter",
                template="core/pdf/base.html",
                context=context,
                may_request=clinical,
                may_view=lambda user, document: clinical(user) and at_location(user, document),
                audit_event=EVENT,
                back_url=lambda document: "/dashboard/",
            ),
        )


def ask(actor, location, *, kind="tests.letter"):
    return request_document(
        actor=actor,
        kind=kind,
        title="Progress letter for the test clinic",
        parameters={"note": "x"},
        location=location,
        patient_id=42,
        audit_details={"format": "pdf"},
    )


def test_a_requested_document_is_drawn_into_a_real_pdf_with_its_digest(
    kinds, nurse, location, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = ask(nurse, location)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    content = bytes(document.content)
    assert content.startswith(b"%PDF-") and document.size_bytes == len(content) > 1000
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.filename.startswith("progress-letter-for-the-test-clinic-")
    text = pdf_text(content)
    assert "Test Ketamine Clinic" in text
    assert "Progress letter for the test clinic" in text
    assert "Generated" in text and "Nurse Nora" in text and "Page 1 of 1" in text
    requested = AuditEvent.objects.get(event_type=EVENT, details__step="PDF requested")
    assert requested.actor == nurse and requested.patient_id == 42
    assert requested.location_id == location.pk and requested.details["format"] == "pdf"


def test_drawing_twice_changes_nothing(kinds, nurse, location, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = ask(nurse, location)
    document.refresh_from_db()
    digest = document.sha256
    assert render_document.call(document_id=str(document.public_id)) == "skipped"
    document.refresh_from_db()
    assert document.sha256 == digest


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("tests.refused", "The record this letter is about has been closed."),
        ("tests.broken", DRAWING_FAILED),
    ],
)
def test_a_document_that_cannot_be_drawn_is_failed_with_its_message(
    kinds, nurse, location, django_capture_on_commit_callbacks, kind, message
):
    with django_capture_on_commit_callbacks(execute=True):
        document = ask(nurse, location, kind=kind)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.failure_message == message and document.content is None
    page = client_for(nurse).get(reverse("documents:detail", args=[document.public_id]))
    assert page.status_code == 200 and "could not be made" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()


def test_without_weasyprints_libraries_the_message_says_what_to_install(monkeypatch):
    # A module set to None in sys.modules fails to import, as WeasyPrint does without Pango.
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(ClinicError) as refused:
        html_to_pdf("<p>x</p>")
    assert refused.value.message == PDF_UNAVAILABLE and "Pango" in PDF_UNAVAILABLE


def test_nothing_is_fetched_while_drawing(tmp_path):
    # A stylesheet by address (never in a template, but a value could carry one) is not read: if
    # it were, it would hide the second paragraph.
    sheet = tmp_path / "hide.css"
    sheet.write_text(".after { display: none; }")
    pdf = html_to_pdf(
        f'<link rel="stylesheet" href="{sheet.as_uri()}"><p>Before</p><p class="after">After</p>'
    )
    assert pdf.startswith(b"%PDF-") and "Before After" in pdf_text(pdf)


def test_the_page_polls_until_ready_then_offers_the_download(kinds, nurse, location):
    document = ask(nurse, location)  # queued: the task has not run (no commit)
    client = client_for(nurse)
    page = client.get(reverse("documents:detail", args=[document.public_id]))
    text = page.content.decode()
    assert page.status_code == 200 and "Preparing…" in text
    status_url = reverse("documents:status", args=[document.public_id])
    assert f'hx-get="{status_url}"' in text and 'hx-trigger="every 2s"' in text
    assert 'href="/dashboard/"' in text  # the way back to the report
    assert AuditEvent.objects.filter(details__step="status page viewed", actor=nurse).exists()
    still = client.get(status_url).content.decode()
    assert "Preparing…" in still and "hx-trigger" in still and document.title not in still
    assert client.get(reverse("documents:download", args=[document.public_id])).status_code == 409
    render_document.call(document_id=str(document.public_id))
    ready = client.get(status_url).content.decode()
    assert "hx-trigger" not in ready and "Download the PDF" in ready
    assert reverse("documents:download", args=[document.public_id]) in ready


def test_a_document_slow_to_start_says_the_worker_may_be_down(kinds, nurse, location):
    document = ask(nurse, location)
    GeneratedDocument.objects.filter(pk=document.pk).update(
        requested_at=document.requested_at.replace(year=document.requested_at.year - 1)
    )
    page = client_for(nurse).get(reverse("documents:status", args=[document.public_id]))
    assert "db_worker" in page.content.decode()


def test_the_download_is_the_stored_pdf_and_is_audited(
    kinds, nurse, location, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = ask(nurse, location)
    document.refresh_from_db()
    response = client_for(nurse).get(reverse("documents:download", args=[document.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == bytes(document.content)
    assert response["Content-Disposition"] == f'attachment; filename="{document.filename}"'
    digest = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"
    downloaded = AuditEvent.objects.get(details__step="PDF downloaded")
    assert downloaded.actor == nurse and downloaded.details["sha256"] == document.sha256
    assert downloaded.patient_id == 42 and downloaded.event_type == EVENT


def test_only_the_requester_and_those_the_kind_allows_may_download(
    kinds,
    nurse,
    clinician,
    front_desk,
    other_location_clinician,
    patient_alice,
    location,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        document = ask(nurse, location)
    url = reverse("documents:download", args=[document.public_id])
    assert client_for(clinician).get(url).status_code == 200  # clinical, same location
    for outsider in (front_desk, other_location_clinician, patient_alice.user):
        before = AuditEvent.objects.count()
        assert client_for(outsider).get(url).status_code == 404
        for name in ("documents:detail", "documents:status"):
            assert (
                client_for(outsider).get(reverse(name, args=[document.public_id])).status_code
                == 404
            )
        refusals = AuditEvent.objects.filter(pk__gt=before, outcome=AuditOutcome.DENIED)
        assert refusals.filter(actor=outsider).count() == 3
    assert client_for(None).get(url).status_code == 302  # to the sign-in page
    # The requester whose role no longer lets them ask loses the download too.
    nurse.role = Role.FRONT_DESK
    nurse.save(update_fields=["role"])
    assert client_for(nurse).get(url).status_code == 404


def test_a_document_across_locations_is_for_the_requester_alone(
    kinds, nurse, clinician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = ask(nurse, None)
    url = reverse("documents:download", args=[document.public_id])
    assert client_for(nurse).get(url).status_code == 200
    assert client_for(clinician).get(url).status_code == 404


def test_a_person_who_may_not_ask_is_refused_and_audited(kinds, front_desk, location):
    with pytest.raises(PermissionDeniedError):
        ask(front_desk, location)
    assert not GeneratedDocument.objects.exists()
    assert AuditEvent.objects.filter(
        actor=front_desk, event_type=EVENT, outcome=AuditOutcome.DENIED
    ).exists()


def test_an_unknown_document_is_not_found(nurse):
    url = reverse("documents:detail", args=[uuid.uuid4()])
    assert client_for(nurse).get(url).status_code == 404
