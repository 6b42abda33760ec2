"""The second person on the shared tablet: the dose's blind double check and the clinician's
co-signature, each proved by the second person's own e-mail and password for that one action while
the first nurse stays signed in (django's authenticate() behind the sign-in lock-out), audited
with the second person as actor and the signed-in person noted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.context import RequestContext, reset_request_context, set_request_context
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import (
    ClinicError,
    LockedOutError,
    NotFoundError,
    PermissionDeniedError,
)
from clinic.sessions import selectors, services
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests import factories
from clinic.sessions.tests.test_discharge import dosed_iv
from conftest import PASSWORD

# Doses confirmed with the lot typed (the register off): drawing from the register is tested in
# clinic/inventory/tests/test_chairside.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("typed_lots")]

TABLET = "127.0.0.1"


@pytest.fixture
def at_the_tablet():
    token = set_request_context(RequestContext(ip_address=TABLET, user_agent="tablet"))
    yield
    reset_request_context(token)


@pytest.fixture
def nadia(location):
    user = UserFactory(role=Role.NURSE, full_name="Nurse Nadia", credentials="RN")
    user.locations.set([location])
    return user


def fresh(session) -> TreatmentSession:
    return TreatmentSession.objects.get(pk=session.pk)


def confirmed(clinician, nurse, patient, *, lot="KT-2291"):
    session = factories.ready_to_dose(clinician, nurse, patient)
    working = selectors.compute_dose(session, session.plan_version, session.weight_kg)
    services.confirm_dose(
        actor=nurse,
        session=session,
        expected_dose_mg=working.dose_mg,
        vial_lot=lot,
        vial_expiry=timezone.localdate() + timedelta(days=200),
    )
    return fresh(session), working.dose_mg


def verify(nurse, session, dose, *, email, password=PASSWORD, lot="KT-2291"):
    return services.verify_dose(
        actor=nurse,
        session=session,
        dose_mg=dose,
        vial_lot=lot,
        verifier_email=email,
        password=password,
    )


# --- the double check on the nurse's tablet ---------------------------------------------------
def test_a_second_nurse_verifies_on_the_first_nurses_tablet(
    clinician, nurse, nadia, patient_alice, at_the_tablet
):
    session, dose = confirmed(clinician, nurse, patient_alice)
    verify(nurse, session, dose, email=f"  {nadia.email.upper()} ", lot="kt-2291")
    stored = fresh(session)
    assert stored.dose_verified_by == nadia and stored.dose_confirmed_by == nurse
    event = AuditEvent.objects.get(event_type=AuditEventType.SESSION_DOSE_VERIFIED)
    # The checker is the actor; the person signed in to the tablet is noted.
    assert event.actor == nadia
    assert (
        event.details["signed_in"] == nurse.pk and event.details["signed_in_email"] == nurse.email
    )
    assert event.details["blind"] is True


def test_a_clinician_verifies_on_the_nurses_tablet(clinician, nurse, patient_alice):
    session, dose = confirmed(clinician, nurse, patient_alice)
    verify(nurse, session, dose, email=clinician.email)
    assert fresh(session).dose_verified_by == clinician


def test_without_an_e_mail_the_signed_in_person_checks_on_their_own_sign_in(
    clinician, nurse, patient_alice
):
    session, dose = confirmed(clinician, nurse, patient_alice)
    verify(clinician, session, dose, email="")
    assert fresh(session).dose_verified_by == clinician
    event = AuditEvent.objects.get(event_type=AuditEventType.SESSION_DOSE_VERIFIED)
    assert event.actor == clinician and "signed_in" not in event.details


@pytest.mark.parametrize("email", ["", "own"])
def test_the_confirmer_cannot_be_the_second_person(clinician, nurse, patient_alice, email):
    session, dose = confirmed(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError, match="A second member of staff verifies the dose"):
        verify(nurse, session, dose, email=nurse.email if email else "")
    assert fresh(session).dose_verified_at is None


def test_the_confirmer_cannot_check_on_someone_elses_tablet(clinician, nurse, nadia, patient_alice):
    session, dose = confirmed(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError, match="A second member of staff verifies the dose"):
        verify(nadia, session, dose, email=nurse.email)


def test_a_wrong_password_is_refused_and_audited_under_the_tablets_user(
    clinician, nurse, nadia, patient_alice, at_the_tablet
):
    session, dose = confirmed(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError, match="do not match a member of staff") as refused:
        verify(nurse, session, dose, email=nadia.email, password="guess")
    assert refused.value.field == "password"
    assert fresh(session).dose_verified_at is None
    event = AuditEvent.objects.get(event_type=AuditEventType.SIGNATURE_FAILED)
    assert event.actor == nurse and event.outcome == AuditOutcome.FAILED
    assert event.details == {"reason": "wrong password", "second_person": nadia.email}


def test_an_unknown_e_mail_is_refused_in_the_same_words(clinician, nurse, patient_alice):
    session, dose = confirmed(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError, match="do not match a member of staff"):
        verify(nurse, session, dose, email="nobody@example.org")


def test_wrong_passwords_lock_the_checkers_account_as_at_sign_in(
    clinician, nurse, nadia, patient_alice, at_the_tablet
):
    session, dose = confirmed(clinician, nurse, patient_alice)
    for _ in range(4):
        with pytest.raises(ClinicError):
            verify(nurse, session, dose, email=nadia.email, password="guess")
    with pytest.raises(LockedOutError):
        verify(nurse, session, dose, email=nadia.email, password="guess")
    # Locked: even the right password does not check, and Nadia cannot sign in from the tablet.
    with pytest.raises(LockedOutError):
        verify(nurse, session, dose, email=nadia.email)
    response = Client().post(
        "/accounts/login/", {"username": nadia.email, "password": PASSWORD}, REMOTE_ADDR=TABLET
    )
    assert response.status_code == 429
    # The first nurse's own account is untouched.
    verify(nurse, session, dose, email=clinician.email)
    assert fresh(session).dose_verified_by == clinician


def test_front_desk_cannot_be_the_second_person(clinician, nurse, front_desk, patient_alice):
    session, dose = confirmed(clinician, nurse, patient_alice)
    with pytest.raises(PermissionDeniedError):
        verify(nurse, session, dose, email=front_desk.email)
    assert fresh(session).dose_verified_at is None


def test_a_clinician_of_another_location_cannot_be_the_second_person(
    clinician, nurse, other_location_clinician, patient_alice
):
    session, dose = confirmed(clinician, nurse, patient_alice)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        verify(nurse, session, dose, email=other_location_clinician.email)
    assert fresh(session).dose_verified_at is None


def test_a_wrong_dose_or_lot_names_neither_the_dose_nor_the_lot(
    clinician, nurse, nadia, patient_alice
):
    session, dose = confirmed(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError) as wrong_dose:
        verify(nurse, session, dose + 1, email=nadia.email)
    assert str(dose) not in wrong_dose.value.message.replace(f"{dose + 1}", "")
    with pytest.raises(ClinicError) as wrong_lot:
        verify(nurse, session, dose, email=nadia.email, lot="KT-0000")
    assert "KT-2291" not in wrong_lot.value.message
    assert fresh(session).dose_verified_at is None


# --- the co-signature on the same tablet --------------------------------------------------------
def discharged(clinician, nurse, patient):
    session = dosed_iv(clinician, nurse, patient)
    result = services.discharge(
        actor=nurse,
        session=session,
        aldrete=dict.fromkeys(
            ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
        ),
        escort_present=True,
        instructions_given=True,
    )
    assert result.discharged, result.reasons
    return fresh(session)


def test_the_clinician_co_signs_on_the_nurses_tablet(clinician, nurse, patient_alice):
    session = discharged(clinician, nurse, patient_alice)
    services.sign_session(actor=nurse, session=session, role="nurse", password=PASSWORD)
    locked = services.sign_session(
        actor=nurse,
        session=session,
        role="clinician",
        signer_email=clinician.email,
        password=PASSWORD,
    )
    assert locked.locked_at is not None
    signatures = {s.role: s.signed_by for s in locked.signatures.all()}
    assert signatures == {"nurse": nurse, "clinician": clinician}
    event = AuditEvent.objects.filter(event_type=AuditEventType.SESSION_SIGNED).latest("pk")
    assert event.actor == clinician and event.details["signed_in"] == nurse.pk


def test_a_nurse_cannot_co_sign_as_the_clinician_on_another_tablet(
    clinician, nurse, nadia, patient_alice
):
    session = discharged(clinician, nurse, patient_alice)
    with pytest.raises(PermissionDeniedError, match="sign sessions as supervising clinician"):
        services.sign_session(
            actor=clinician,
            session=session,
            role="clinician",
            signer_email=nadia.email,
            password=PASSWORD,
        )
    assert not session.signatures.exists()


def test_the_same_person_cannot_sign_twice_through_the_tablet(clinician, nurse, patient_alice):
    session = discharged(clinician, nurse, patient_alice)
    services.sign_session(actor=clinician, session=session, role="clinician", password=PASSWORD)
    with pytest.raises(ClinicError, match="two different people"):
        services.sign_session(
            actor=nurse,
            session=session,
            role="nurse",
            signer_email=clinician.email,
            password=PASSWORD,
        )


def test_a_co_signers_wrong_password_is_refused(clinician, nurse, patient_alice):
    session = discharged(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError, match="do not match a member of staff"):
        services.sign_session(
            actor=nurse,
            session=session,
            role="clinician",
            signer_email=clinician.email,
            password="guess",
        )
    assert not session.signatures.exists()
