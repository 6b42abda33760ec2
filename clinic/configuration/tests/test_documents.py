from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.configuration import services
from clinic.configuration.choices import DocumentKind
from clinic.core.exceptions import InvalidTransitionError, NotFoundError, PermissionDeniedError
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import ConsentDocument, EducationPage
from clinic.evaluation.selectors import has_current_consent
from clinic.sessions.tests.factories import sign_consent_for
from conftest import client_for

pytestmark = pytest.mark.django_db

CONSENT = "ketamine-infusion-injection"


def _current(code: str = CONSENT) -> ConsentDocument:
    return ConsentDocument.objects.get(code=code, status=RuleSetStatus.ACTIVE)


def test_a_new_version_copies_the_current_text_into_a_draft(medical_director):
    current = _current()

    draft = services.draft_document_version(
        actor=medical_director, kind=DocumentKind.CONSENT, code=CONSENT
    )

    assert (draft.version, draft.status) == (current.version + 1, RuleSetStatus.DRAFT)
    assert (draft.title, draft.body, draft.routes) == (current.title, current.body, current.routes)
    assert _current() == current
    event = AuditEvent.objects.get(event_type=AuditEventType.DOCUMENT_VERSION_DRAFTED)
    assert event.details["copied_from"] == current.version
    with pytest.raises(InvalidTransitionError, match="already waiting"):
        services.draft_document_version(
            actor=medical_director, kind=DocumentKind.CONSENT, code=CONSENT
        )


def test_publishing_a_new_consent_version_asks_patients_to_sign_again(
    medical_director, patient_alice
):
    sign_consent_for(patient_alice, "iv")
    assert has_current_consent(patient_alice, "iv")
    draft = services.draft_document_version(
        actor=medical_director, kind=DocumentKind.CONSENT, code=CONSENT
    )
    services.update_document_draft(
        actor=medical_director,
        kind=DocumentKind.CONSENT,
        code=CONSENT,
        version=draft.version,
        title=draft.title,
        body=draft.body + "\n\nA new paragraph about bladder symptoms.",
    )

    services.publish_document_version(
        actor=medical_director, kind=DocumentKind.CONSENT, code=CONSENT, version=draft.version
    )

    assert _current().version == draft.version
    assert not has_current_consent(patient_alice, "iv")
    assert AuditEvent.objects.filter(event_type=AuditEventType.CONSENT_DOCUMENT_PUBLISHED).exists()


def test_a_published_version_is_never_edited(medical_director):
    current = _current()
    with pytest.raises(InvalidTransitionError, match="write a new version"):
        services.update_document_draft(
            actor=medical_director,
            kind=DocumentKind.CONSENT,
            code=CONSENT,
            version=current.version,
            title="Changed",
            body="Changed",
        )


def test_an_empty_text_is_refused(medical_director):
    draft = services.draft_document_version(
        actor=medical_director, kind=DocumentKind.CONSENT, code=CONSENT
    )
    with pytest.raises(services.ConfigurationInvalidError) as refused:
        services.update_document_draft(
            actor=medical_director,
            kind=DocumentKind.CONSENT,
            code=CONSENT,
            version=draft.version,
            title="Title",
            body="   ",
        )
    assert refused.value.field == "body"


@pytest.mark.parametrize("persona", ["clinician", "nurse"])
def test_only_the_medical_director_writes_versions(persona, request):
    with pytest.raises(PermissionDeniedError):
        services.draft_document_version(
            actor=request.getfixturevalue(persona), kind=DocumentKind.CONSENT, code=CONSENT
        )
    assert (
        AuditEvent.objects.get(event_type=AuditEventType.DOCUMENT_VERSION_DRAFTED).outcome
        == AuditOutcome.DENIED
    )


def test_unknown_documents_are_not_found(medical_director):
    with pytest.raises(NotFoundError):
        services.draft_document_version(
            actor=medical_director, kind=DocumentKind.CONSENT, code="nothing"
        )
    with pytest.raises(NotFoundError):
        services.draft_document_version(actor=medical_director, kind="letter", code=CONSENT)


def test_the_director_makes_edits_previews_and_publishes_an_education_page(
    medical_director, django_assert_max_num_queries
):
    page = EducationPage.objects.filter(status=RuleSetStatus.ACTIVE).order_by("code").first()
    client = client_for(medical_director)
    with django_assert_max_num_queries(12 + (connection.vendor == "postgresql")):
        listing = client.get(reverse("configuration:documents"))
    assert page.title in listing.content.decode()

    made = client.post(reverse("configuration:new_version", args=["education", page.code]))
    draft_url = reverse(
        "configuration:document_version", args=["education", page.code, page.version + 1]
    )
    assert made["Location"] == draft_url
    saved = client.post(
        draft_url, {"title": page.title, "body": page.body + "\n\nCall us if you feel unwell."}
    )
    assert saved.status_code == 302
    preview = client.get(draft_url).content.decode()
    assert "<strong>Added:</strong> Call us if you feel unwell." in preview

    client.post(
        reverse("configuration:publish_version", args=["education", page.code, page.version + 1])
    )
    assert (
        EducationPage.objects.get(code=page.code, status=RuleSetStatus.ACTIVE).version
        == page.version + 1
    )
    assert (
        f"v{page.version + 1}"
        in client.get(
            reverse("configuration:document", args=["education", page.code])
        ).content.decode()
    )


def test_the_consent_preview_says_how_many_patients_sign_again(medical_director, patient_alice):
    sign_consent_for(patient_alice, "iv")
    draft = services.draft_document_version(
        actor=medical_director, kind=DocumentKind.CONSENT, code=CONSENT
    )
    page = client_for(medical_director).get(
        reverse("configuration:document_version", args=["consent", CONSENT, draft.version])
    )
    assert "1 patient signed the current version." in page.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "body": "x"},
        {"title": "x" * 500, "body": "x"},
        {"title": "T", "body": "y" * 30_000},
    ],
)
def test_bad_drafts_are_shown_again_with_the_message(medical_director, data):
    draft = services.draft_document_version(
        actor=medical_director, kind=DocumentKind.CONSENT, code=CONSENT
    )
    response = client_for(medical_director).post(
        reverse("configuration:document_version", args=["consent", CONSENT, draft.version]), data
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/configuration/documents/consent/nothing/",
        "/configuration/documents/letter/ketamine-infusion-injection/",
        "/configuration/documents/consent/ketamine-infusion-injection/v999/",
        "/configuration/documents/consent/ketamine-infusion-injection/v99999999999999999999999/",
    ],
)
def test_unknown_document_pages_are_not_found(medical_director, path):
    assert client_for(medical_director).get(path).status_code == 404


def test_a_clinician_reads_documents_but_cannot_write_them(clinician, front_desk):
    client = client_for(clinician)
    page = client.get(reverse("configuration:document", args=["consent", CONSENT]))
    assert page.status_code == 200
    assert "New version from this one" not in page.content.decode()
    assert (
        client.post(reverse("configuration:new_version", args=["consent", CONSENT])).status_code
        == 403
    )
    assert client_for(front_desk).get(reverse("configuration:documents")).status_code == 403


def test_posting_to_a_published_version_changes_nothing(medical_director):
    current = _current()
    response = client_for(medical_director).post(
        reverse("configuration:document_version", args=["consent", CONSENT, current.version]),
        {"title": "Changed", "body": "Changed"},
    )
    assert response.status_code == 302
    assert _current().title == current.title
