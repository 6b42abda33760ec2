"""A patient's status follows the course of care by itself: the services that start and sign an
evaluation, sign a plan, give a dose and end a plan move it on, each change in the status history
and the audit log with who acted and why; the chart says since when and why."""

from __future__ import annotations

import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.evaluation import services as evaluation_services
from clinic.patients.choices import CourseEvent, PatientStatus
from clinic.patients.models import Patient, PatientStatusChange
from clinic.patients.services import change_patient_status, update_status_from_course
from clinic.sessions.tests.factories import dosed, plan_for
from clinic.treatment import services as treatment_services
from conftest import PASSWORD, client_for


def status_of(patient) -> str:
    return Patient.objects.get(pk=patient.pk).status


def latest_change(patient) -> PatientStatusChange:
    return patient.status_changes.order_by("-changed_at", "-id").first()


def test_starting_an_evaluation_moves_a_prospective_patient_into_evaluation(
    clinician, patient_alice
):
    evaluation_services.start_evaluation(actor=clinician, patient=patient_alice)
    assert status_of(patient_alice) == PatientStatus.IN_EVALUATION
    change = latest_change(patient_alice)
    assert change.course_event == CourseEvent.EVALUATION_STARTED
    assert change.changed_by == clinician and change.reason == "the evaluation was started"
    event = AuditEvent.objects.get(event_type=AuditEventType.PATIENT_STATUS_FOLLOWED_CARE)
    assert event.actor == clinician and event.patient_id == patient_alice.pk
    assert event.details == {
        "from": "prospective",
        "to": "in_evaluation",
        "event": "evaluation_started",
        "reason": "the evaluation was started",
    }


def test_a_signed_plan_keeps_the_patient_in_evaluation_until_the_first_dose(
    clinician, patient_alice
):
    plan_for(clinician, patient_alice)
    assert status_of(patient_alice) == PatientStatus.IN_EVALUATION


def test_the_first_dose_starts_active_treatment_and_the_chart_says_so(
    clinician, nurse, patient_alice
):
    dosed(clinician, nurse, patient_alice)
    assert status_of(patient_alice) == PatientStatus.ACTIVE
    change = latest_change(patient_alice)
    assert change.course_event == CourseEvent.SESSION_DOSED
    assert change.reason == "session 1 was dosed" and change.changed_by == nurse
    page = client_for(clinician).get(f"/patients/{patient_alice.public_id}/").content.decode()
    assert "Active treatment (since " in page and ", when session 1 was dosed)" in page


def test_a_maintenance_plan_version_moves_an_active_patient_to_maintenance(
    clinician, nurse, patient_alice
):
    session = dosed(clinician, nurse, patient_alice)
    version = session.plan_version
    draft = treatment_services.PlanDraft(
        protocol=version.protocol,
        indications=list(version.indications),
        dose=version.dose,
        weight_basis=version.weight_basis,
        start_date=version.start_date,
        target_outcomes=version.target_outcomes,
        induction_sessions=version.induction_sessions,
        induction_sessions_per_week=version.induction_sessions_per_week,
        maintenance_interval_days=version.maintenance_interval_days,
        infusion_minutes=version.infusion_minutes,
        change_reason="maintenance",
        change_details="Induction complete.",
    )
    treatment_services.sign_plan_version(
        actor=clinician, patient=patient_alice, draft=draft, password=PASSWORD
    )
    assert status_of(patient_alice) == PatientStatus.MAINTENANCE
    assert (
        latest_change(patient_alice).reason == "plan version 2 was signed (moving to maintenance)"
    )


def test_ending_the_plan_discharges_the_patient(clinician, nurse, patient_alice):
    session = dosed(clinician, nurse, patient_alice)
    treatment_services.end_plan(
        actor=clinician, plan=session.plan_version.plan, status="completed", reason="Course done"
    )
    assert status_of(patient_alice) == PatientStatus.DISCHARGED
    assert latest_change(patient_alice).reason == "the treatment plan was completed"


def test_a_late_dose_does_not_make_a_discharged_patient_active_again(
    clinician, nurse, patient_alice
):
    plan_for(clinician, patient_alice)
    change_patient_status(
        actor=clinician,
        patient=Patient.objects.get(pk=patient_alice.pk),
        to_status=PatientStatus.DISCHARGED,
        reason="Moved away",
    )
    changes_before = patient_alice.status_changes.count()
    assert (
        update_status_from_course(
            actor=nurse,
            patient_id=patient_alice.pk,
            event=CourseEvent.SESSION_DOSED,
            reason="session 1 was dosed",
        )
        is None
    )
    assert status_of(patient_alice) == PatientStatus.DISCHARGED
    assert patient_alice.status_changes.count() == changes_before
    assert not AuditEvent.objects.filter(
        event_type=AuditEventType.PATIENT_STATUS_FOLLOWED_CARE, details__event="session_dosed"
    ).exists()


def test_a_status_changed_by_hand_shows_since_when_without_an_event(clinician, patient_alice):
    change_patient_status(
        actor=clinician, patient=patient_alice, to_status="in_evaluation", reason="Booked"
    )
    page = client_for(clinician).get(f"/patients/{patient_alice.public_id}/").content.decode()
    assert (
        "In evaluation (since " in page and "when" not in page.split('id="status-standing"')[1][:60]
    )


def test_the_status_follows_only_for_staff(patient_alice):
    with pytest.raises(Exception, match="change a patient"):
        update_status_from_course(
            actor=patient_alice.user,
            patient_id=patient_alice.pk,
            event=CourseEvent.EVALUATION_STARTED,
            reason="the evaluation was started",
        )
