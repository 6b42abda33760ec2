"""A minor patient through evaluation, plan and session: the adolescent screening rule, the
guardian and esketamine gates of the plan and the dose, and consent needing both signatures."""

import pytest
from django.utils import timezone

from clinic.core.exceptions import ClinicError
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.models import ConsentDocument
from clinic.evaluation.selectors import run_screen
from clinic.evaluation.tests.factories import complete_evaluation
from clinic.patients.services import end_guardianship
from clinic.patients.tests.factories import add_test_guardian, register_test_minor
from clinic.sessions import selectors as session_selectors
from clinic.sessions.choices import Gate
from clinic.sessions.tests.factories import ESKETAMINE, plan_for, started_session
from conftest import PASSWORD


@pytest.fixture
def minor(clinician, location):
    return register_test_minor(actor=clinician, location=location, age_years=16, portal=True)


def test_the_screen_flags_an_adolescent_as_a_relative_contraindication(clinician, minor):
    evaluation = complete_evaluation(clinician, minor)
    _rule_set, findings, _ = run_screen(evaluation)
    adolescent = next(f for f in findings if f.code == "adolescent-patient")
    assert adolescent.severity == "relative" and "Age (years): 16" in adolescent.reason
    # The clinician's documented reason is needed to find the patient suitable.
    with pytest.raises(ClinicError, match="Acknowledge each relative contraindication"):
        evaluation_services.sign_evaluation(
            actor=clinician,
            evaluation=evaluation,
            decision="suitable",
            reasoning="Suitable.",
            password=PASSWORD,
        )
    signed = evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="Suitable.",
        password=PASSWORD,
        acknowledgements={"adolescent-patient": "Two SSRIs failed; CAMHS psychiatrist agrees."},
    )
    assert signed.is_locked


def _acknowledged_plan(clinician, patient, **changes):
    from unittest import mock

    from clinic.evaluation import services as es

    real = es.sign_evaluation

    def with_note(**kwargs):
        kwargs.setdefault("acknowledgements", {"adolescent-patient": "Reason documented."})
        return real(**kwargs)

    with mock.patch.object(es, "sign_evaluation", with_note):
        return plan_for(clinician, patient, consent=False, **changes)


def test_a_minors_plan_needs_a_guardian(clinician, minor):
    with pytest.raises(ClinicError, match="no guardian recorded"):
        _acknowledged_plan(clinician, minor)
    add_test_guardian(actor=clinician, patient=minor)
    assert _acknowledged_plan(clinician, minor).number == 1


def test_esketamine_is_never_planned_under_18(clinician, minor):
    add_test_guardian(actor=clinician, patient=minor)
    with pytest.raises(ClinicError, match="Esketamine is not approved under 18"):
        _acknowledged_plan(clinician, minor, protocol_name=ESKETAMINE, instruments=None)


def test_a_minors_dose_waits_for_both_signatures_and_a_current_guardian(clinician, nurse, minor):
    from unittest import mock

    from clinic.evaluation import services as es

    guardian = add_test_guardian(
        actor=clinician, patient=minor, portal=True, full_name="Dana Reyes"
    )
    real = es.sign_evaluation

    def with_note(**kwargs):
        kwargs.setdefault("acknowledgements", {"adolescent-patient": "Reason documented."})
        return real(**kwargs)

    with mock.patch.object(es, "sign_evaluation", with_note):
        session = started_session(clinician, nurse, minor, consent=False)

    def gates():
        session.refresh_from_db()
        checklist = session_selectors.checklist(session)
        return {g.gate: g for g in checklist.gates}

    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    today = timezone.localdate(timezone.now(), minor.location.zone)
    evaluation_services.sign_consent(
        actor=minor.user,
        patient=minor,
        document=document,
        typed_full_name=minor.legal_name,
        signed_on=today,
        channel="portal",
    )
    assert not gates()[Gate.CONSENT].passed
    evaluation_services.sign_consent(
        actor=guardian.user,
        patient=minor,
        document=document,
        typed_full_name="Dana Reyes",
        signed_on=today,
        channel="portal",
        guardian=guardian,
    )
    current = gates()
    assert current[Gate.CONSENT].passed and current[Gate.MINOR].passed
    end_guardianship(actor=clinician, guardian=guardian, reason="Custody changed")
    assert not gates()[Gate.MINOR].passed
