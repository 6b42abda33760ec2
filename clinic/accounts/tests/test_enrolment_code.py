"""Setting up an authenticator needs a one-time enrolment code from the medical director, not only
the password: shown once, stored as a hash, expiring, single use, audited, and guessing it counts
against the sign-in lock-out."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import services
from clinic.accounts.models import TwoFactorEnrolmentCode
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.core.tokens import token_sha256
from conftest import PASSWORD, client_for

TWO_FACTOR = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def require_2fa(settings):
    settings.CLINIC_REQUIRE_2FA = True


def signed_in(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def events(event_type, **filters):
    return AuditEvent.objects.filter(event_type=event_type, **filters)


def director_client(director):
    """The director's own second factor is not what these tests are about."""
    client = client_for(director)
    device = TOTPDevice.objects.create(user=director, name="phone", confirmed=True)
    client.post(TWO_FACTOR, {"token": current_code(device)})
    return client


def issue_from_team_page(director, member):
    response = director_client(director).post(f"/accounts/team/{member.public_id}/enrolment-code/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.context["code"], response.content.decode()


def test_the_password_alone_does_not_show_an_authenticator_secret(client, nurse):
    signed_in(client, nurse)
    page = client.get(TWO_FACTOR)
    body = page.content.decode()
    assert "enrolment code" in body and "<svg" not in body
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    # Posting a TOTP code straight away does not enrol anything either.
    response = client.post(TWO_FACTOR, {"token": "123456"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=nurse).exists()


def test_the_director_issues_a_code_shown_once_and_stored_as_a_hash(medical_director, nurse):
    code, page = issue_from_team_page(medical_director, nurse)
    assert code in page
    stored = TwoFactorEnrolmentCode.objects.get(user=nurse)
    assert stored.code_sha256 == token_sha256(code.replace("-", ""))
    assert code.replace("-", "") not in str(stored.__dict__)
    assert stored.issued_by == medical_director
    assert stored.expires_at - stored.issued_at == timedelta(
        hours=services.ENROLMENT_CODE_VALID_HOURS
    )
    # The member's page tells that a code is outstanding but never shows it again.
    edit = (
        TOTPDevice.objects.filter(user=medical_director).delete()
        and director_client(medical_director).get(f"/accounts/team/{nurse.public_id}/")
    ).content.decode()
    assert "outstanding" in edit and code not in edit
    event = events(AuditEventType.TWO_FACTOR_CODE_ISSUED).get()
    assert event.actor == medical_director and event.target_id == str(nurse.pk)
    assert code not in str(event.details)


def test_only_the_medical_director_issues_codes(clinician, nurse):
    with pytest.raises(PermissionDeniedError):
        services.issue_two_factor_enrolment_code(actor=clinician, user=nurse)
    response = client_for(clinician).post(f"/accounts/team/{nurse.public_id}/enrolment-code/")
    assert response.status_code in {302, 403}
    assert not TwoFactorEnrolmentCode.objects.exists()


def test_with_the_code_the_person_sets_up_their_authenticator(client, medical_director, nurse):
    code, _ = issue_from_team_page(medical_director, nurse)
    signed_in(client, nurse)
    # Typed in lower case with spaces: still the code.
    response = client.post(TWO_FACTOR, {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    page = client.get(TWO_FACTOR).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)
    assert client.post(TWO_FACTOR, {"token": current_code(device)}).status_code == 302
    assert client.get("/patients/").status_code == 200
    assert TwoFactorEnrolmentCode.objects.get(user=nurse).used_at is not None
    assert events(AuditEventType.TWO_FACTOR_CODE_USED, actor=nurse).count() == 1
    assert events(AuditEventType.TWO_FACTOR_ENROLLED, actor=nurse).count() == 1


def test_a_code_works_once(client, medical_director, nurse):
    code, _ = issue_from_team_page(medical_director, nurse)
    signed_in(client, nurse)
    client.post(TWO_FACTOR, {"code": code})
    # Another session (someone else with the password) cannot use it again, nor see the secret.
    other = signed_in(client_for(None), nurse)
    assert "<svg" not in other.get(TWO_FACTOR).content.decode()
    response = other.post(TWO_FACTOR, {"code": code})
    assert response.status_code == 400 and "already used" in response.content.decode()
    assert "<svg" not in other.get(TWO_FACTOR).content.decode()


def test_a_wrong_code_is_refused_audited_and_counted(client, medical_director, nurse):
    issue_from_team_page(medical_director, nurse)
    signed_in(client, nurse)
    response = client.post(TWO_FACTOR, {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 400
    assert "enrolment code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    failed = events(AuditEventType.TWO_FACTOR_CODE_FAILED).get()
    assert failed.outcome == AuditOutcome.FAILED and failed.details == {"reason": "wrong code"}
    assert AccessAttempt.objects.get(username=nurse.email).failures_since_start == 1


def test_an_expired_code_is_refused(client, medical_director, nurse):
    code, _ = issue_from_team_page(medical_director, nurse)
    TwoFactorEnrolmentCode.objects.filter(user=nurse).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    signed_in(client, nurse)
    response = client.post(TWO_FACTOR, {"code": code})
    assert response.status_code == 400 and "has expired" in response.content.decode()
    assert events(AuditEventType.TWO_FACTOR_CODE_FAILED).get().details == {"reason": "expired"}
    assert AccessAttempt.objects.get(username=nurse.email).failures_since_start == 1


def test_a_new_code_replaces_the_old(client, medical_director, nurse):
    old, _ = issue_from_team_page(medical_director, nurse)
    new, _ = issue_from_team_page(medical_director, nurse)
    assert TwoFactorEnrolmentCode.objects.filter(user=nurse).count() == 1
    signed_in(client, nurse)
    assert client.post(TWO_FACTOR, {"code": old}).status_code == 400
    assert client.post(TWO_FACTOR, {"code": new}).status_code == 302


def test_guessing_codes_locks_the_account_for_sign_in_too(client, medical_director, nurse):
    code, _ = issue_from_team_page(medical_director, nurse)
    signed_in(client, nurse)
    for _ in range(5):
        response = client.post(TWO_FACTOR, {"code": "AAAA-BBBB-CCCC"})
    assert "locked" in response.content.decode()
    # Now even the right code is refused, and so is signing in.
    response = client.post(TWO_FACTOR, {"code": code})
    assert response.status_code == 400 and "locked" in response.content.decode()
    assert TwoFactorEnrolmentCode.objects.get(user=nurse).used_at is None
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    response = client_for(None).post(
        "/accounts/login/", {"username": nurse.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert events(AuditEventType.LOGIN_LOCKED_OUT).order_by("pk").first().details == {
        "during": "two-factor enrolment"
    }


def test_no_code_is_issued_for_someone_who_has_an_authenticator(medical_director, nurse):
    TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    with pytest.raises(ClinicError, match="already has an authenticator"):
        services.issue_two_factor_enrolment_code(actor=medical_director, user=nurse)


def test_resetting_two_factor_needs_a_new_code(client, medical_director, nurse):
    code = services.issue_two_factor_enrolment_code(actor=medical_director, user=nurse)
    TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    director_client(medical_director).post(f"/accounts/team/{nurse.public_id}/reset-two-factor/")
    assert not TwoFactorEnrolmentCode.objects.filter(user=nurse).exists()
    signed_in(client, nurse)
    assert "enrolment code" in client.get(TWO_FACTOR).content.decode()
    assert client.post(TWO_FACTOR, {"code": code}).status_code == 400
    new, _ = issue_from_team_page(medical_director, nurse)
    assert client.post(TWO_FACTOR, {"code": new}).status_code == 302


def test_the_first_director_gets_a_code_from_the_server(medical_director, capsys):
    call_command("issue_enrolment_code", medical_director.email.upper())
    out = capsys.readouterr().out
    code = out.split(": ", 1)[1].split()[0]
    stored = TwoFactorEnrolmentCode.objects.get(user=medical_director)
    assert stored.code_sha256 == token_sha256(code.replace("-", ""))
    assert stored.issued_by is None
    event = events(AuditEventType.TWO_FACTOR_CODE_ISSUED).get()
    assert event.actor is None and event.actor_label == "manage.py"
