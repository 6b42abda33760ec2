"""Side effects a patient reports from the portal between visits: recorded once per submission,
red flags raise the same urgent alert as PHQ-9 item 9 (dashboard, on-call e-mail), the patient is
told what to do, and nobody but the patient and their clinical team can read a report."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.assessments import services
from clinic.assessments.models import SafetyAlert, SideEffectReport
from clinic.assessments.side_effects import SYMPTOMS, alert_reasons
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, NotFoundError, PermissionDeniedError
from conftest import client_for

pytestmark = pytest.mark.django_db


def _report(patient, *, symptoms=("headache",), key=None, **changes):
    values = {
        "started_on": timezone.localdate() - timedelta(days=2),
        "severity": "moderate",
        "still_going": True,
        "description": "",
    } | changes
    return services.report_side_effect(
        actor=patient.user,
        patient=patient,
        submission_key=key or uuid.uuid4(),
        symptoms=list(symptoms),
        **values,
    )


def _form(**changes):
    return {
        "submission_key": str(uuid.uuid4()),
        "symptoms": ["headache"],
        "started_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "severity": "mild",
        "still_going": "yes",
        "description": "",
    } | changes


# --- rules ---


@pytest.mark.parametrize(
    ("symptoms", "reasons"),
    [
        (["headache", "memory_thinking"], []),
        (["urinary_frequency"], []),
        (["blood_in_urine"], ["report_urinary"]),
        (["blood_in_urine", "painful_urination"], ["report_urinary"]),
        (["fainting", "self_harm_thoughts"], ["report_self_harm", "report_fainting"]),
        (["chest_pain"], ["report_chest_pain"]),
    ],
)
def test_red_flag_symptoms_and_the_alert_each_raises(symptoms, reasons):
    assert alert_reasons(symptoms) == reasons


def test_the_symptom_list_covers_the_long_term_domains_clinics_follow():
    codes = {symptom.code for symptom in SYMPTOMS}
    assert {
        "blood_in_urine",
        "painful_urination",
        "urinary_frequency",
        "memory_thinking",
        "dissociation",
        "craving",
        "mood_worse",
        "self_harm_thoughts",
        "chest_pain",
        "fainting",
    } <= codes


# --- service ---


def test_a_report_is_recorded_and_audited(patient_alice):
    report, created, alerts = _report(patient_alice, symptoms=["memory_thinking"])
    assert created and alerts == []
    assert (
        report.symptoms == ["memory_thinking"] and report.location_id == patient_alice.location_id
    )
    event = AuditEvent.objects.get(event_type=AuditEventType.SIDE_EFFECT_REPORTED)
    assert (event.actor_id, event.patient_id) == (patient_alice.user_id, patient_alice.pk)
    assert event.details == {
        "symptoms": ["memory_thinking"],
        "severity": "moderate",
        "still_going": True,
    }


def test_the_same_submission_sent_twice_is_one_report_and_one_alert(
    patient_alice, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first, created, alerts = _report(patient_alice, symptoms=["blood_in_urine"], key=key)
    with django_capture_on_commit_callbacks(execute=True):
        again, created_again, alerts_again = _report(
            patient_alice, symptoms=["blood_in_urine"], key=key
        )
    assert created and not created_again and first.pk == again.pk
    assert [a.pk for a in alerts] == [a.pk for a in alerts_again]
    assert SideEffectReport.objects.count() == 1
    assert SafetyAlert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_blood_in_urine_raises_the_urgent_alert_as_phq9_item_9_does(
    patient_alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report, _created, alerts = _report(patient_alice, symptoms=["blood_in_urine"])
    alert = SafetyAlert.objects.get()
    assert alerts == [alert]
    assert (alert.reason, alert.status, alert.side_effect_report_id, alert.response_id) == (
        "report_urinary",
        "open",
        report.pk,
        None,
    )
    assert alert.is_urgent
    assert len(mail.outbox) == 1 and "URGENT" in mail.outbox[0].subject
    # The e-mail says why and links to the chart, never the patient's words.
    assert "blood in urine" in mail.outbox[0].body.lower()
    raised = AuditEvent.objects.get(event_type=AuditEventType.SAFETY_ALERT_RAISED)
    assert raised.details == {
        "reason": "report_urinary",
        "side_effect_report": str(report.public_id),
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"symptoms": []}, "symptoms"),
        ({"symptoms": ["headache", "made_up"]}, "symptoms"),
        ({"started_on": timezone.localdate() + timedelta(days=2)}, "started_on"),
        ({"started_on": timezone.localdate() - timedelta(days=3000)}, "started_on"),
        ({"severity": "awful"}, "severity"),
        ({"symptoms": ["other"], "description": "  "}, "description"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_bad_reports_are_refused_with_the_field(patient_alice, changes, field):
    symptoms = changes.pop("symptoms", ["headache"])
    with pytest.raises(ClinicError) as refused:
        _report(patient_alice, symptoms=symptoms, **changes)
    assert refused.value.field == field
    assert not SideEffectReport.objects.exists()


def test_staff_cannot_report_for_a_patient_and_a_patient_not_for_another(
    clinician, patient_alice, patient_bob
):
    with pytest.raises(PermissionDeniedError):
        services.report_side_effect(
            actor=clinician,
            patient=patient_alice,
            submission_key=uuid.uuid4(),
            symptoms=["headache"],
            started_on=timezone.localdate(),
            severity="mild",
            still_going=True,
        )
    with pytest.raises(NotFoundError):
        services.report_side_effect(
            actor=patient_bob.user,
            patient=patient_alice,
            submission_key=uuid.uuid4(),
            symptoms=["headache"],
            started_on=timezone.localdate(),
            severity="mild",
            still_going=True,
        )
    assert not SideEffectReport.objects.exists()


def test_a_clinician_reviews_a_report_once(clinician, nurse, patient_alice):
    report, _created, _alerts = _report(patient_alice)
    with pytest.raises(ClinicError):
        services.review_side_effect_report(actor=clinician, report=report, note=" ")
    reviewed = services.review_side_effect_report(
        actor=clinician, report=report, note="Phoned: settling, no action."
    )
    assert reviewed.reviewed_by == clinician and reviewed.reviewed_at is not None
    reviewed_event = AuditEvent.objects.get(event_type=AuditEventType.SIDE_EFFECT_REPORT_REVIEWED)
    assert (reviewed_event.actor_id, reviewed_event.patient_id) == (clinician.pk, patient_alice.pk)
    with pytest.raises(ClinicError):
        services.review_side_effect_report(actor=nurse, report=reviewed, note="again")


def test_front_desk_cannot_review(front_desk, patient_alice):
    report, _created, _alerts = _report(patient_alice)
    with pytest.raises(PermissionDeniedError):
        services.review_side_effect_report(actor=front_desk, report=report, note="Seen.")


# --- pages ---


def test_the_patient_reports_blood_in_urine_and_is_told_what_to_do(patient_alice):
    client = client_for(patient_alice.user)
    assert client.get(reverse("assessments:report_side_effect")).status_code == 200
    response = client.post(
        reverse("assessments:report_side_effect"),
        _form(symptoms=["blood_in_urine"], severity="moderate"),
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "blood in your urine or pain passing urine: what to do now" in page
    assert "Do not take any more ketamine" in page
    assert f'href="tel:{patient_alice.location.phone}"' in page
    assert SafetyAlert.objects.get().reason == "report_urinary"


def test_a_refused_report_keeps_what_was_typed(patient_alice):
    client = client_for(patient_alice.user)
    response = client.post(
        reverse("assessments:report_side_effect"),
        _form(symptoms=["dissociation"], description="Feel far away", severity=""),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose how bad it is." in page
    assert 'value="dissociation" id="id_symptoms_dissociation" checked' in page
    assert "Feel far away" in page
    assert not SideEffectReport.objects.exists()


def test_the_patients_words_are_never_rendered_as_html(clinician, patient_alice):
    report, _c, _a = _report(patient_alice, description="<script>alert(1)</script>")
    for user, url in [
        (patient_alice.user, reverse("assessments:my_side_effect", args=[report.public_id])),
        (clinician, reverse("assessments:side_effect_report", args=[report.public_id])),
    ]:
        page = client_for(user).get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_another_patient_or_staff_elsewhere_get_404_and_the_attempt_is_audited(
    patient_alice, patient_bob, other_location_clinician, front_desk
):
    report, _c, _a = _report(patient_alice, symptoms=["blood_in_urine"])
    own_url = reverse("assessments:my_side_effect", args=[report.public_id])
    staff_url = reverse("assessments:side_effect_report", args=[report.public_id])
    bob = client_for(patient_bob.user)
    assert bob.get(own_url).status_code == 404
    assert (
        "Blood in my urine" not in bob.get(reverse("assessments:my_side_effects")).content.decode()
    )
    assert bob.get(staff_url).status_code == 403  # a patient never opens the staff page
    assert client_for(other_location_clinician).get(staff_url).status_code == 404
    assert client_for(other_location_clinician).post(staff_url, {"note": "x"}).status_code == 404
    assert client_for(front_desk).get(staff_url).status_code == 403
    denied = AuditEvent.objects.filter(
        event_type=AuditEventType.SIDE_EFFECT_REPORT_VIEWED, outcome=AuditOutcome.DENIED
    )
    assert denied.count() == 3
    assert not SideEffectReport.objects.filter(reviewed_at__isnull=False).exists()
    # A report's random id that does not exist answers the same.
    assert bob.get(reverse("assessments:my_side_effect", args=[uuid.uuid4()])).status_code == 404


def test_every_read_is_audited(clinician, patient_alice):
    report, _c, _a = _report(patient_alice)
    client_for(patient_alice.user).get(reverse("assessments:my_side_effects"))
    client_for(patient_alice.user).get(
        reverse("assessments:my_side_effect", args=[report.public_id])
    )
    client_for(clinician).get(reverse("assessments:side_effect_report", args=[report.public_id]))
    viewed = AuditEvent.objects.filter(
        event_type=AuditEventType.SIDE_EFFECT_REPORT_VIEWED, outcome=AuditOutcome.SUCCESS
    )
    assert sorted(viewed.values_list("actor_id", flat=True)) == sorted(
        [patient_alice.user_id, clinician.pk]
    )
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        actor=patient_alice.user,
        details__section="portal side effects",
    ).exists()


def test_the_report_is_on_the_charts_timeline_and_dashboard(clinician, patient_alice):
    _report(patient_alice, symptoms=["blood_in_urine"])
    chart = client_for(clinician).get(
        reverse("patients:chart", args=[patient_alice.public_id]) + "?section=side_effects"
    )
    page = chart.content.decode()
    assert "Blood in my urine" in page and "To review" in page
    assert "side-effect report from the patient to review" in page
    dashboard = client_for(clinician).get(reverse("dashboard:home")).content.decode()
    assert "Side-effect report: blood in urine or pain passing urine" in dashboard


def test_a_clinician_reviews_from_the_report_page(clinician, patient_alice):
    report, _c, _a = _report(patient_alice)
    url = reverse("assessments:side_effect_report", args=[report.public_id])
    assert client_for(clinician).post(url, {"note": ""}).status_code == 400
    response = client_for(clinician).post(url, {"note": "Called, fine."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_note == "Called, fine."


def test_the_alert_page_names_the_report(clinician, patient_alice):
    _report(patient_alice, symptoms=["chest_pain"])
    alert = SafetyAlert.objects.get()
    page = client_for(clinician).get(reverse("assessments:alert", args=[alert.public_id]))
    assert page.status_code == 200
    assert "side-effect report of" in page.content.decode()
