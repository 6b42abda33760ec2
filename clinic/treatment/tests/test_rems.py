"""Recording the esketamine REMS: a location's certification (medical director) and a patient's
enrolment (clinical staff), each checked, audited, and the latest one in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.treatment import selectors, services

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
