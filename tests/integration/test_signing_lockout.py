"""Every signature that re-enters a password (evaluation, addendum, plan, dose verification)
refuses a locked account, even with the right password, and counts a wrong one."""

import pytest

from clinic.audit.context import RequestContext, reset_request_context, set_request_context
from clinic.core.exceptions import ClinicError, LockedOutError
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.tests.factories import complete_evaluation
from clinic.sessions import selectors as session_selectors
from clinic.sessions import services as session_services
from clinic.sessions.tests import factories as session_factories
from clinic.treatment import services as treatment_services
from clinic.treatment.tests.test_services import draft
from conftest import PASSWORD


@pytest.fixture(autouse=True)
def _from_one_address():
    token = set_request_context(RequestContext(ip_address="192.0.2.10", user_agent="browser"))
    yield
    reset_request_context(token)


def _evaluation(clinician, patient):
    evaluation = complete_evaluation(clinician, patient)

    def sign(password):
        evaluation_services.sign_evaluation(
            actor=clinician,
            evaluation=evaluation,
            decision="suitable",
            reasoning="Suitable.",
            password=password,
        )

    return sign


def _addendum(clinician, patient):
    sign_evaluation = _evaluation(clinician, patient)
    sign_evaluation(PASSWORD)
    evaluation = patient.evaluations.get()

    def sign(password):
        evaluation_services.add_evaluation_addendum(
            actor=clinician, evaluation=evaluation, text="Allergy noted.", password=password
        )

    return sign


def _plan(clinician, patient):
    _evaluation(clinician, patient)(PASSWORD)

    def sign(password):
        treatment_services.sign_plan_version(
            actor=clinician, patient=patient, draft=draft(), password=password
        )

    return sign


def _dose_verification(clinician, patient, nurse):
    session = session_factories.ready_to_dose(clinician, nurse, patient)
    working = session_selectors.compute_dose(session, session.plan_version, session.weight_kg)
    vial = session_factories.stock_for(session, received_by=nurse, witness=clinician)
    session_services.confirm_dose(
        actor=nurse, session=session, expected_dose_mg=working.dose_mg, container=vial.identifier
    )

    def sign(password):
        session_services.verify_dose(
            actor=clinician,
            session=session,
            dose_mg=working.dose_mg,
            vial_lot="KT-2291",
            password=password,
        )

    return sign


@pytest.mark.parametrize("signature", ["evaluation", "addendum", "plan", "dose verification"])
def test_wrong_passwords_lock_the_signature(signature, clinician, nurse, patient_alice):
    setups = {
        "evaluation": lambda: _evaluation(clinician, patient_alice),
        "addendum": lambda: _addendum(clinician, patient_alice),
        "plan": lambda: _plan(clinician, patient_alice),
        "dose verification": lambda: _dose_verification(clinician, patient_alice, nurse),
    }
    sign = setups[signature]()
    for _ in range(4):
        with pytest.raises(ClinicError, match="password is not right"):
            sign("guess")
    with pytest.raises(LockedOutError):
        sign("guess")
    with pytest.raises(LockedOutError, match="locked"):
        sign(PASSWORD)
