"""A signature's password counts against the sign-in lock-out (django-axes), in both directions."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from clinic.audit.choices import AuditEventType
from clinic.audit.context import RequestContext, reset_request_context, set_request_context
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, LockedOutError
from clinic.core.signing import confirm_signer
from conftest import PASSWORD

# The Django test client's address: the sign-in form below counts under it.
CLIENT_ADDRESS = "127.0.0.1"


@pytest.fixture
def from_client_address():
    token = set_request_context(RequestContext(ip_address=CLIENT_ADDRESS, user_agent="browser"))
    yield
    reset_request_context(token)


def sign_in(email, password=PASSWORD, address=CLIENT_ADDRESS):
    return Client().post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


def test_wrong_signing_passwords_lock_signing_and_sign_in(clinician, settings, from_client_address):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        with pytest.raises(ClinicError, match="password is not right"):
            confirm_signer(clinician, "guess")
    # The fifth wrong password reaches the limit: the refusal says so.
    with pytest.raises(LockedOutError, match="locked"):
        confirm_signer(clinician, "guess")
    # Now even the right password does not sign…
    with pytest.raises(LockedOutError) as refused:
        confirm_signer(clinician, PASSWORD)
    assert refused.value.field == "password"
    assert "medical director" in refused.value.message and "30 minutes" in refused.value.message
    # …and the sign-in form refuses the account from the same address.
    response = sign_in(clinician.email)
    assert response.status_code == 429 and "Sign-in is paused" in response.content.decode()


def test_wrong_sign_ins_lock_signing(clinician, from_client_address):
    for _ in range(5):
        sign_in(clinician.email, "guess")
    with pytest.raises(LockedOutError):
        confirm_signer(clinician, PASSWORD)


def test_the_lock_is_per_account_and_address_as_at_sign_in(clinician, nurse, from_client_address):
    for _ in range(5):
        sign_in(clinician.email, "guess")
    confirm_signer(nurse, PASSWORD)  # another account is not locked
    assert sign_in(clinician.email, address="198.51.100.7").status_code == 302


def test_each_refusal_is_audited_as_a_signature_and_the_lockout_once_reached(
    clinician, from_client_address
):
    for _ in range(5):
        with pytest.raises(ClinicError):
            confirm_signer(clinician, "guess", patient_id=None)
    with pytest.raises(LockedOutError):
        confirm_signer(clinician, PASSWORD)
    refused = events(AuditEventType.SIGNATURE_FAILED).filter(actor=clinician)
    assert [event.details["reason"] for event in refused.order_by("pk")] == [
        "wrong password"
    ] * 4 + ["locked out"] * 2
    assert all(event.ip_address == CLIENT_ADDRESS for event in refused)
    # Not a sign-in failure: the sign-in report stays about sign-ins.
    assert not events(AuditEventType.LOGIN_FAILED).exists()
    locked = events(AuditEventType.LOGIN_LOCKED_OUT)
    assert locked.exists()
    assert locked.first().actor_label == clinician.email
    assert locked.first().details == {"during": "signature"}
    # The lock-out table holds no form data (no clinical text from a signing form).
    attempt = AccessAttempt.objects.get()
    assert attempt.username == clinician.email and attempt.ip_address == CLIENT_ADDRESS
    assert attempt.post_data.replace("-", "").strip() == ""
    assert attempt.get_data.replace("-", "").strip() == ""


def test_an_empty_password_counts_as_a_wrong_one(clinician, from_client_address):
    with pytest.raises(ClinicError, match="password is not right"):
        confirm_signer(clinician, "")
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_the_right_password_signs_while_under_the_limit(clinician, from_client_address):
    for _ in range(4):
        with pytest.raises(ClinicError):
            confirm_signer(clinician, "guess")
    confirm_signer(clinician, PASSWORD)
