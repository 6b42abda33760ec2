"""The patient's education library and consent forms follow their plan: an IV patient is asked
for the IV consent only and reads the IV session page, not the nasal-spray one; the record keeps
which version of which page they opened and when; the medical director publishes new versions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import InvalidTransitionError, PermissionDeniedError
from clinic.evaluation import selectors, services
from clinic.evaluation.models import EducationPage, EducationPageOpened
from clinic.sessions.tests.factories import ESKETAMINE, plan_for
from conftest import client_for

pytestmark = pytest.mark.django_db


def _codes(rows):
    return {row["document"].code for row in rows}


def test_without_a_plan_every_consent_and_page_is_offered(patient_alice):
    assert len(selectors.consent_status(patient_alice)) == 3
    codes = {page.code for page in selectors.education_pages_for(patient_alice)}
    assert {"iv-the-session", "intranasal-the-session", "preparing", "when-to-call"} <= codes


def test_an_iv_patient_is_asked_only_for_the_iv_consent(clinician, patient_alice):
    plan_for(clinician, patient_alice, consent=False)
    rows = selectors.consent_status(patient_alice)
    assert _codes(rows) == {"ketamine-infusion-injection"}
    page = client_for(patient_alice.user).get(reverse("evaluation:my_consent")).content.decode()
    assert "Consent for Ketamine Treatment by IV Infusion or IM Injection" in page
    assert page.count("Read and sign") == 1


def test_an_esketamine_patient_reads_the_nasal_spray_pages_only(clinician, patient_alice):
    plan_for(clinician, patient_alice, protocol_name=ESKETAMINE)
    codes = {page.code for page in selectors.education_pages_for(patient_alice)}
    assert "intranasal-the-session" in codes
    assert "iv-the-session" not in codes and "im-the-session" not in codes
    client = client_for(patient_alice.user)
    library = client.get(reverse("evaluation:my_education")).content.decode()
    assert "What happens in an esketamine nasal spray session" in library
    assert "What happens in an IV infusion session" not in library
    # A page not for the patient's plan is not found.
    assert (
        client.get(reverse("evaluation:my_education_page", args=["iv-the-session"])).status_code
        == 404
    )


def test_opening_a_page_is_kept_with_its_version_and_shown_on_the_chart(clinician, patient_alice):
    client = client_for(patient_alice.user)
    response = client.get(reverse("evaluation:my_education_page", args=["driving"]))
    assert response.status_code == 200
    assert "Do not drive" in response.content.decode()
    opened = EducationPageOpened.objects.get()
    assert (opened.patient, opened.page.code, opened.page.version) == (patient_alice, "driving", 1)
    event = AuditEvent.objects.get(event_type=AuditEventType.EDUCATION_PAGE_OPENED)
    assert event.details == {"code": "driving", "version": 1}
    chart = client_for(clinician).get(
        reverse("patients:chart", args=[patient_alice.public_id]) + "?section=evaluation"
    )
    assert "Driving and getting home v1" in chart.content.decode()


def test_another_patient_sees_only_their_own_openings(patient_alice, patient_bob):
    client_for(patient_alice.user).get(reverse("evaluation:my_education_page", args=["driving"]))
    page = client_for(patient_bob.user).get(reverse("evaluation:my_education")).content.decode()
    assert "(read)" not in page
    assert (
        client_for(patient_bob.user)
        .get(reverse("evaluation:my_education_page", args=["no-such-page"]))
        .status_code
        == 404
    )


def test_the_medical_director_publishes_a_new_version_and_the_old_opening_keeps_its_version(
    medical_director, clinician, patient_alice
):
    client_for(patient_alice.user).get(reverse("evaluation:my_education_page", args=["driving"]))
    first = EducationPage.objects.get(code="driving", version=1)
    draft = EducationPage.objects.create(
        code="driving", version=2, title=first.title, phase=first.phase, body="New words."
    )
    with pytest.raises(PermissionDeniedError):
        services.publish_education_page(actor=clinician, page=draft)
    services.publish_education_page(actor=medical_director, page=draft)
    first.refresh_from_db()
    assert first.status == "retired"
    with pytest.raises(InvalidTransitionError):
        services.publish_education_page(actor=medical_director, page=first)
    page = client_for(patient_alice.user).get(
        reverse("evaluation:my_education_page", args=["driving"])
    )
    assert "New words." in page.content.decode()
    assert sorted(EducationPageOpened.objects.values_list("page__version", flat=True)) == [1, 2]


def test_a_published_page_cannot_be_edited_in_the_admin(medical_director):
    page = EducationPage.objects.filter(status="active").first()
    response = client_for(medical_director).post(
        f"/admin/evaluation/educationpage/{page.pk}/change/", {"title": "Changed"}
    )
    page.refresh_from_db()
    assert page.title != "Changed"
    assert response.status_code in (200, 302, 403)
