"""Signing in: e-mail and password, throttling, two-factor for staff, idle timeout, all audited."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.middleware import LAST_ACTIVITY_KEY
from clinic.accounts.services import issue_two_factor_enrolment_code
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from conftest import PASSWORD, client_for

LOGIN = "/accounts/login/"


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


def test_staff_sign_in_with_their_email_in_any_case(client, clinician):
    response = sign_in(client, clinician.email.upper())
    assert response.status_code == 302
    assert events(AuditEventType.LOGIN_SUCCEEDED).filter(actor=clinician).count() == 1
    assert client.get(response["Location"], follow=True).status_code == 200


def test_a_wrong_password_is_refused_clearly_and_audited(client, clinician):
    response = sign_in(client, clinician.email, "wrong-password", REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    event = events(AuditEventType.LOGIN_FAILED).get()
    assert event.actor_label == clinician.email and event.ip_address == "192.0.2.44"
    assert "wrong-password" not in str(event.details)


def test_signing_out_is_audited(client, clinician):
    sign_in(client, clinician.email)
    client.post("/accounts/logout/")
    assert events(AuditEventType.LOGOUT).filter(actor=clinician).count() == 1
    assert client.get("/patients/").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_pause_sign_in_politely(client, clinician):
    for _ in range(3):
        sign_in(client, clinician.email, "wrong")
    response = sign_in(client, clinician.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Sign-in is paused" in response.content.decode()
    assert events(AuditEventType.LOGIN_LOCKED_OUT).exists()


def test_an_inactive_account_cannot_sign_in(client, clinician):
    clinician.is_active = False
    clinician.save()
    assert sign_in(client, clinician.email).status_code == 200
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2_in_production():
    encoded = make_password("a long passphrase", hasher="argon2")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("a long passphrase", encoded)


def test_a_session_ends_after_the_idle_time(client, clinician):
    sign_in(client, clinician.email)
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert events(AuditEventType.SESSION_EXPIRED).filter(actor=clinician).count() == 1
    assert client.get("/patients/").status_code == 302


def test_an_idle_sign_out_is_audited_when_the_person_comes_back(client, clinician, settings):
    """The session as stored after 31 idle minutes: its activity stamp and its expiry both date
    from the last request. The stored session must still be there for the idle sign-out to be seen
    (and audited); were it to expire with the idle limit, the person would simply be anonymous."""
    from django.contrib.sessions.models import Session

    sign_in(client, clinician.email)
    client.get("/patients/")
    last_request = time.time() - 31 * 60
    session = client.session
    session[LAST_ACTIVITY_KEY] = last_request
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=datetime.fromtimestamp(last_request, tz=UTC)
        + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert events(AuditEventType.SESSION_EXPIRED).filter(actor=clinician).count() == 1


def test_the_stored_session_outlives_the_idle_limit(settings):
    assert settings.SESSION_COOKIE_AGE > settings.CLINIC_SESSION_IDLE_MINUTES * 60 + 60


@pytest.fixture
def require_2fa(settings):
    settings.CLINIC_REQUIRE_2FA = True


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_set_up_an_authenticator_before_reaching_any_page(
    client, nurse, medical_director, require_2fa
):
    code = issue_two_factor_enrolment_code(actor=medical_director, user=nurse)
    sign_in(client, nurse.email)
    response = client.get("/patients/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    client.post("/accounts/two-factor/", {"code": code})
    page = client.get("/accounts/two-factor/").content.decode()
    assert "<svg" in page and "Set up two-factor" in page
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)
    bad = client.post(
        "/accounts/two-factor/",
        {"token": "000000" if current_code(device) != "000000" else "111111"},
    )
    assert bad.status_code == 400 and "That code is not right" in bad.content.decode()
    # django-otp makes the next try wait after a wrong code, and says so.
    throttled = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert "Too many wrong codes in a row" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert response.status_code == 302
    assert client.get("/patients/").status_code == 200
    assert events(AuditEventType.TWO_FACTOR_ENROLLED).filter(actor=nurse).count() == 1


def test_staff_with_an_authenticator_enter_a_code_at_each_sign_in(client, nurse, require_2fa):
    device = TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    sign_in(client, nurse.email)
    assert "Enter your sign-in code" in client.get("/accounts/two-factor/").content.decode()
    assert client.get("/api/v1/patients").status_code == 401
    client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert client.get("/patients/").status_code == 200
    assert events(AuditEventType.TWO_FACTOR_VERIFIED).filter(actor=nurse).count() == 1


def test_patients_are_not_asked_for_a_second_factor(client, patient_alice, require_2fa):
    sign_in(client, patient_alice.user.email)
    assert client.get("/patients/me/").status_code == 200


def test_two_factor_is_off_in_development_and_tests_by_default(client, nurse, settings):
    assert settings.CLINIC_REQUIRE_2FA is False
    sign_in(client, nurse.email)
    assert client.get("/patients/").status_code == 200


def test_the_next_address_after_sign_in_must_be_on_this_site(client, nurse, require_2fa):
    device = TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    sign_in(client, nurse.email)
    response = client.post(
        "/accounts/two-factor/?next=https://evil.example/", {"token": current_code(device)}
    )
    assert response["Location"] == "/accounts/home/"


def test_the_password_reset_link_sets_a_password_and_is_audited(
    client, nurse, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": nurse.email})
    assert len(mailoutbox) == 1
    link = next(
        line for line in mailoutbox[0].body.splitlines() if "/accounts/password-reset/" in line
    )
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.check_password("a-brand-new-passphrase")
    assert events(AuditEventType.PASSWORD_SET).filter(actor=nurse).count() == 1


def test_a_staff_user_of_the_admin_must_be_the_medical_director(medical_director, clinician):
    assert client_for(medical_director).get("/admin/core/location/").status_code == 200
    assert client_for(clinician).get("/admin/core/location/").status_code == 302
