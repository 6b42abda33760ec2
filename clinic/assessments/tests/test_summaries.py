"""The progress summaries the clinical dashboard reads follow every change of the responses and of
what a patient is asked, through the services."""

from decimal import Decimal

import pytest

from clinic.assessments import selectors, summaries
from clinic.assessments.models import InstrumentAssignment, ProgressSummary
from clinic.assessments.services import mark_response_entered_in_error, save_instrument_assignment
from clinic.assessments.tests.factories import record_phq9
from clinic.patients.services import change_patient_status, update_patient


def summary(patient, code="phq9") -> ProgressSummary | None:
    return ProgressSummary.objects.filter(patient=patient, instrument_code=code).first()


def in_care(actor, patient):
    return change_patient_status(
        actor=actor, patient=patient, to_status="in_evaluation", reason="Evaluation booked"
    )


def test_each_completed_response_updates_its_series(clinician, patient_alice):
    record_phq9(actor=clinician, patient=patient_alice, total=8, days_ago=30, context="baseline")
    first = summary(patient_alice)
    assert (first.responses, first.baseline_total, first.latest_total) == (1, 8, 8)
    assert first.previous_total is None and not first.worsening
    record_phq9(actor=clinician, patient=patient_alice, total=10, days_ago=10)
    record_phq9(actor=clinician, patient=patient_alice, total=14, days_ago=1)
    latest = summary(patient_alice)
    assert (
        latest.responses,
        latest.baseline_total,
        latest.previous_total,
        latest.latest_total,
    ) == (
        3,
        Decimal("8"),
        Decimal("10"),
        Decimal("14"),
    )
    # 14 − 8 = 6 points: the PHQ-9's meaningful change (5) is passed.
    assert latest.worsening


def test_a_withdrawn_response_leaves_the_series_as_if_never_recorded(clinician, patient_alice):
    record_phq9(actor=clinician, patient=patient_alice, total=8, days_ago=30, context="baseline")
    mistake = record_phq9(actor=clinician, patient=patient_alice, total=20, days_ago=1)
    assert summary(patient_alice).worsening
    mark_response_entered_in_error(
        actor=clinician, response=mistake, reason="Another patient's form, entered on this chart."
    )
    after = summary(patient_alice)
    assert (after.responses, after.latest_total, after.worsening) == (1, Decimal("8"), False)


def test_a_patient_entering_care_is_due_every_repeated_questionnaire_of_their_conditions(
    clinician, patient_bob
):
    assert not ProgressSummary.objects.filter(patient=patient_bob).exists()
    in_care(clinician, patient_bob)
    required = set(
        ProgressSummary.objects.filter(patient=patient_bob, required=True).values_list(
            "instrument_code", flat=True
        )
    )
    assert required == summaries.required_codes(patient_bob.primary_conditions)
    assert "phq9" in required
    overdue = selectors.clinical_dashboard(clinician)["overdue"]
    assert {(patient.pk, instrument.code, last) for patient, instrument, last in overdue} >= {
        (patient_bob.pk, "phq9", None)
    }


def test_changing_a_patients_conditions_changes_what_falls_due(clinician, patient_bob):
    in_care(clinician, patient_bob)
    update_patient(actor=clinician, patient=patient_bob, changes={"primary_conditions": ["ocd"]})
    required = set(
        ProgressSummary.objects.filter(patient=patient_bob, required=True).values_list(
            "instrument_code", flat=True
        )
    )
    assert required == summaries.required_codes(["ocd"])
    assert "ybocs" in required and "phq9" not in required
    # A series never answered and no longer asked leaves no row behind.
    assert not ProgressSummary.objects.filter(patient=patient_bob, instrument_code="phq9").exists()


def test_a_series_already_answered_stays_when_it_is_no_longer_asked(clinician, patient_alice):
    in_care(clinician, patient_alice)
    record_phq9(actor=clinician, patient=patient_alice, total=12, days_ago=3)
    update_patient(actor=clinician, patient=patient_alice, changes={"primary_conditions": ["ocd"]})
    kept = summary(patient_alice)
    assert kept is not None and kept.responses == 1 and not kept.required


def test_the_directors_new_assignment_reaches_every_patient(
    medical_director, clinician, patient_bob, django_capture_on_commit_callbacks
):
    in_care(clinician, patient_bob)
    condition = patient_bob.primary_conditions[0]
    assignment = InstrumentAssignment.objects.filter(condition=condition).first() or (
        InstrumentAssignment(condition=condition)
    )
    assignment.instrument_codes = ["gad7", "cssrs_screen"]
    # The refresh is queued once the change commits (and run at once by the tests' task backend).
    with django_capture_on_commit_callbacks(execute=True):
        save_instrument_assignment(
            actor=medical_director, assignment=assignment, changed_fields=["instrument_codes"]
        )
    required = set(
        ProgressSummary.objects.filter(patient=patient_bob, required=True).values_list(
            "instrument_code", flat=True
        )
    )
    assert required == summaries.required_codes([condition])
    assert "gad7" in required and "phq9" not in required


def test_rebuilding_gives_what_the_services_kept(clinician, patient_alice, patient_bob):
    in_care(clinician, patient_alice)
    in_care(clinician, patient_bob)
    record_phq9(actor=clinician, patient=patient_alice, total=8, days_ago=30, context="baseline")
    record_phq9(actor=clinician, patient=patient_alice, total=15, days_ago=1)
    fields = ("patient_id", "instrument_code", "required", "responses", "latest_total", "worsening")
    kept = sorted(ProgressSummary.objects.values_list(*fields))
    assert summaries.rebuild_all() == 1
    assert sorted(ProgressSummary.objects.values_list(*fields)) == kept


def test_the_dashboards_counts_stop_at_their_limit(
    clinician, patient_alice, patient_bob, monkeypatch
):
    in_care(clinician, patient_alice)
    in_care(clinician, patient_bob)
    monkeypatch.setattr(selectors, "DASHBOARD_COUNT_LIMIT", 1)
    board = selectors.clinical_dashboard(clinician)
    assert (board["overdue_count"], board["overdue_more"]) == (1, True)


@pytest.mark.parametrize("limit", [1])
def test_the_dashboards_lists_are_bounded(
    clinician, patient_alice, patient_bob, monkeypatch, limit
):
    in_care(clinician, patient_alice)
    in_care(clinician, patient_bob)
    monkeypatch.setattr(selectors, "DASHBOARD_LIST_LIMIT", limit)
    assert len(selectors.clinical_dashboard(clinician)["overdue"]) == limit
