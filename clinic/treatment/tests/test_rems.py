"""Recording the esketamine REMS: a location's certification (medical director) and a patient's
enrolment (clinical staff), each checked, audited, and the latest one in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.treatment import selectors, services
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_medical_director_records_a_certification_and_a_recertification(
    medical_director, location
):
    first = services.record_rems_certification(
        actor=medical_director,
        location=location,
        certification_number=" SPR-0001 ",
        authorised_representative="Dana Whitfield",
        certified_on=timezone.localdate() - timedelta(days=400),
    )
    assert first.certification_number == "SPR-0001"
    again = services.record_rems_certification(
        actor=medical_director,
        location=location,
        certification_number="SPR-0002",
        authorised_representative="Lee Okafor",
        certified_on=timezone.localdate(),
    )
    assert selectors.current_rems_certification(location) == again
    assert AuditEvent.objects.filter(event_type=AuditEventType.REMS_SETTING_CERTIFIED).count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"certification_number": ""}, "certification_number", "Enter the certification number"),
        ({"certification_number": "a!"}, "certification_number", "4 to 40 letters"),
        ({"authorised_representative": "  "}, "authorised_representative", "Name the"),
        ({"certified_on": None}, "certified_on", "Enter the date"),
        ({"certified_on": "tomorrow"}, "certified_on", "cannot be dated after today"),
    ],
)
def test_a_certification_is_refused_with_a_reason(
    medical_director, location, changes, field, message
):
    values = {
        "certification_number": "SPR-0001",
        "authorised_representative": "Dana Whitfield",
        "certified_on": timezone.localdate(),
        **changes,
    }
    if values["certified_on"] == "tomorrow":
        values["certified_on"] = timezone.localdate(timezone.now(), location.zone) + timedelta(1)
    with pytest.raises(ClinicError, match=message) as refused:
        services.record_rems_certification(actor=medical_director, location=location, **values)
    assert refused.value.field == field


def test_only_the_medical_director_certifies_a_setting(clinician, location):
    with pytest.raises(PermissionDeniedError):
        services.record_rems_certification(
            actor=clinician,
            location=location,
            certification_number="SPR-0001",
            authorised_representative="Dana Whitfield",
            certified_on=timezone.localdate(),
        )


def test_a_clinician_or_nurse_records_an_enrolment_front_desk_cannot(
    clinician, nurse, front_desk, patient_alice
):
    with pytest.raises(ClinicError, match="4 to 40"):
        services.record_rems_enrolment(
            actor=nurse, patient=patient_alice, patient_rems_id="PT1", enrolled_on=None
        )
    enrolment = services.record_rems_enrolment(
        actor=clinician,
        patient=patient_alice,
        patient_rems_id="PT-77881",
        enrolled_on=timezone.localdate() - timedelta(days=3),
    )
    assert selectors.current_rems_enrolment(patient_alice) == enrolment
    event = AuditEvent.objects.get(event_type=AuditEventType.REMS_PATIENT_ENROLLED)
    assert event.patient_id == patient_alice.pk
    with pytest.raises(PermissionDeniedError):
        services.record_rems_enrolment(
            actor=front_desk,
            patient=patient_alice,
            patient_rems_id="PT-77881",
            enrolled_on=timezone.localdate(),
        )


def test_the_director_records_a_certification_in_the_browser(medical_director, clinician, location):
    url = reverse("treatment:rems_settings")
    assert client_for(clinician).get(url).status_code == 403
    client = client_for(medical_director)
    assert "Not certified" in client.get(url).content.decode()
    refused = client.post(
        url,
        {
            "location": location.pk,
            "certification_number": "S!",
            "authorised_representative": "Dana Whitfield",
            "certified_on": timezone.localdate().isoformat(),
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "4 to 40 letters" in page and "Dana Whitfield" in page
    response = client.post(
        url,
        {
            "location": location.pk,
            "certification_number": "SPR-7788",
            "authorised_representative": "Dana Whitfield",
            "certified_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert "SPR-7788" in client.get(url).content.decode()


def test_a_clinician_records_an_enrolment_from_the_chart(clinician, front_desk, patient_alice):
    url = reverse("treatment:rems_enrolment", args=[patient_alice.public_id])
    assert client_for(front_desk).get(url).status_code == 403
    client = client_for(clinician)
    refused = client.post(url, {"patient_rems_id": "", "enrolled_on": "yesterday"})
    assert refused.status_code == 400
    response = client.post(
        url, {"patient_rems_id": "PT-5501", "enrolled_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    assert selectors.current_rems_enrolment(patient_alice).patient_rems_id == "PT-5501"
    assert "PT-5501" in client.get(url).content.decode()
