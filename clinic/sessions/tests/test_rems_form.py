"""The esketamine REMS Patient Monitoring Form: filled in from the session record (blood pressures
before, at about 40 minutes and at the end, the lot, the monitoring minutes, the concomitant
medicines), drawn as a PDF, its submission recorded, and the forms due and overdue tracked (the
overdue ones on the medical director's dashboard)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.choices import DocumentStatus
from clinic.core.exceptions import ClinicError
from clinic.core.models import GeneratedDocument
from clinic.core.tests.pdf import pdf_text
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.tests.factories import complete_evaluation
from clinic.sessions import rules, services
from clinic.sessions.models import RemsFormSubmission, TreatmentSession
from clinic.sessions.rems_form import form_content, tracked_forms
from clinic.sessions.tests.factories import ESKETAMINE, dosed, due_label
from conftest import PASSWORD, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("typed_lots")]

ALL_TWOS = dict.fromkeys(
    ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
)


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def esketamine_session(clinician, nurse, patient, *, minutes_ago=130, discharge=True):
    """56 mg of esketamine given `minutes_ago` (pre-dose 124/78), 138/86 at 40 minutes and 126/80
    3 minutes ago, then discharged (unless not: dosed only)."""
    session = dosed(clinician, nurse, patient, at=ago(minutes_ago), protocol_name=ESKETAMINE)
    if not discharge:
        return TreatmentSession.objects.get(pk=session.pk)
    services.record_reading(
        actor=nurse,
        session=session,
        values={"systolic_mmhg": 138, "diastolic_mmhg": 86, "heart_rate_bpm": 80, "spo2_pct": 97},
        taken_at=ago(minutes_ago - 40),
    )
    services.record_reading(
        actor=nurse,
        session=session,
        values={"systolic_mmhg": 126, "diastolic_mmhg": 80, "heart_rate_bpm": 74, "spo2_pct": 98},
        taken_at=ago(3),
    )
    result = services.discharge(
        actor=nurse,
        session=TreatmentSession.objects.get(pk=session.pk),
        aldrete=dict(ALL_TWOS),
        escort_present=True,
        instructions_given=True,
    )
    assert result.discharged, result.reasons
    return TreatmentSession.objects.get(pk=session.pk)


def test_the_form_is_filled_in_from_the_session(clinician, nurse, patient_alice):
    session = esketamine_session(clinician, nurse, patient_alice)
    # A later signed evaluation lists an opioid: the form names it.
    evaluation = complete_evaluation(
        clinician,
        patient_alice,
        no_current_medications=False,
        current_medications="sertraline 100 mg daily\noxycodone 5 mg as needed",
    )
    evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="Suitable.",
        password=PASSWORD,
    )
    content = form_content(session)
    assert content["first_treatment"] is True
    assert content["enrolment"].patient_rems_id == "PT-778812"
    assert content["certification"].certification_number == "SPR-0042-US"
    assert content["dose_choice"] == "56 mg" and content["devices"] == 2
    assert content["lot"] == "KT-2291"
    assert [bp.value for bp in content["blood_pressures"]] == [
        "124/78 mmHg",
        "138/86 mmHg",
        "126/80 mmHg",
    ]
    assert content["monitoring_minutes"] == 130 and not content["monitoring_short"]
    # Without the 2-hour rule the record met every criterion at the 40-minute reading (the
    # Aldrete items are the nurse's at discharge, the pre-dose BP gate passed).
    assert content["ready_minutes"] == 40
    assert content["vitals_ok_before"] == (True, "")
    assert content["vitals_ok_at_end"] == (True, "")
    assert [m["medication"] for m in content["medicines"]] == ["oxycodone 5 mg as needed"]
    assert [o.present for o in content["observations"]] == [False, False, False]


def test_the_pdf_carries_the_blood_pressures_and_the_lot(
    clinician, nurse, patient_alice, django_capture_on_commit_callbacks
):
    session = esketamine_session(clinician, nurse, patient_alice)
    url = reverse("sessions:rems_form", args=[session.public_id])
    page = client_for(nurse).get(url)
    assert page.status_code == 200
    assert due_label(session) in page.content.decode()  # "Due in 7 days" on the day itself
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(nurse).post(url, {"action": "pdf"})
    assert response.status_code == 302
    document = GeneratedDocument.objects.get()
    assert document.status == DocumentStatus.READY, document.failure_message
    assert patient_alice.legal_last_name not in document.title
    download = client_for(nurse).get(reverse("documents:download", args=[document.public_id]))
    assert download.status_code == 200
    text = pdf_text(download.content)
    for expected in (
        "Patient Monitoring Form",
        patient_alice.legal_last_name,
        "PT-778812",
        "SPR-0042-US",
        "124/78 mmHg",
        "138/86 mmHg",
        "126/80 mmHg",
        "KT-2291",
        "130 minutes",
    ):
        assert expected in text, expected
    assert AuditEvent.objects.filter(event_type=AuditEventType.REMS_FORM_REQUESTED).exists()


def test_a_submission_is_recorded_and_the_tracker_follows(
    medical_director, clinician, nurse, patient_alice
):
    session = esketamine_session(clinician, nurse, patient_alice)
    [tracked] = tracked_forms(nurse)
    assert tracked.session == session and not tracked.standing.submitted
    url = reverse("sessions:rems_form", args=[session.public_id])
    refused = client_for(nurse).post(url, {"submitted_on": "", "confirmation_number": ""})
    assert refused.status_code == 400
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client_for(nurse).post(url, {"submitted_on": future, "confirmation_number": "RX-1"})
    assert refused.status_code == 400
    assert "between the treatment" in refused.content.decode()
    assert "RX-1" in refused.content.decode()  # what was typed is kept
    today = timezone.localdate(timezone.now(), session.location.zone).isoformat()
    response = client_for(nurse).post(
        url, {"submitted_on": today, "confirmation_number": "PMF-2026-0099"}
    )
    assert response.status_code == 302
    submission = RemsFormSubmission.objects.get()
    assert submission.submitted_by == nurse and submission.confirmation_number == "PMF-2026-0099"
    [tracked] = tracked_forms(medical_director)
    assert tracked.standing.submitted and tracked.submission == submission
    listing = client_for(clinician).get(reverse("sessions:rems_forms")).content.decode()
    assert "PMF-2026-0099" in listing


def test_an_overdue_form_is_on_the_directors_dashboard(
    medical_director, clinician, nurse, patient_alice
):
    session = esketamine_session(clinician, nurse, patient_alice)
    # Treated nine days ago (the record moved back in time; the session is not signed).
    TreatmentSession.objects.filter(pk=session.pk).update(
        dosed_at=session.dosed_at - timedelta(days=9)
    )
    session.refresh_from_db()
    overdue = due_label(session).lower()  # "overdue by 2 days", counted from the local day
    dashboard = client_for(medical_director).get(reverse("dashboard:home")).content.decode()
    assert 'id="rems-overdue"' in dashboard
    assert overdue.startswith("overdue by")
    assert patient_alice.display_name in dashboard and overdue in dashboard.lower()
    nurse_view = client_for(nurse).get(reverse("dashboard:home")).content.decode()
    assert 'id="rems-overdue"' not in nurse_view


def test_the_form_waits_for_the_discharge_and_is_only_for_esketamine(
    clinician, nurse, patient_alice, patient_bob
):
    session = esketamine_session(clinician, nurse, patient_alice, minutes_ago=20, discharge=False)
    with pytest.raises(ClinicError, match="discharge the patient first"):
        services.record_rems_submission(
            actor=nurse,
            session=session,
            submitted_on=timezone.localdate(),
            confirmation_number="X-1",
        )
    iv = dosed(clinician, nurse, patient_bob, at=ago(30))
    assert (
        client_for(nurse).get(reverse("sessions:rems_form", args=[iv.public_id])).status_code == 404
    )
    with pytest.raises(ClinicError, match="Only an esketamine session"):
        form_content(iv)


def test_the_forms_standing_counts_calendar_days():
    treated = timezone.localdate()
    assert rules.rems_form_standing(treated_on=treated, today=treated, submitted=False).label == (
        "Due in 7 days"
    )
    late = rules.rems_form_standing(
        treated_on=treated, today=treated + timedelta(days=8), submitted=False
    )
    assert late.overdue and late.label == "Overdue by 1 day"
    on_time = rules.rems_form_standing(
        treated_on=treated, today=treated + timedelta(days=7), submitted=False
    )
    assert not on_time.overdue and on_time.label == "Due today"
    assert not rules.rems_form_standing(
        treated_on=treated, today=treated + timedelta(days=30), submitted=True
    ).overdue
