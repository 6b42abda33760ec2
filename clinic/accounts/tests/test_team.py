"""The medical director manages staff accounts."""

import pytest

from clinic.accounts import services
from clinic.accounts.models import User
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from conftest import client_for


def test_adding_staff_emails_a_set_password_link(
    medical_director, location, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(medical_director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/team/new/",
            {
                "full_name": "Nia Adams",
                "email": "Nia@Clinic.test",
                "role": "nurse",
                "credentials": "RN",
                "locations": [location.pk],
            },
        )
    assert response.status_code == 302
    nia = User.objects.get(email="nia@clinic.test")
    assert nia.role == "nurse" and list(nia.locations.all()) == [location]
    assert not nia.has_usable_password()
    assert "/accounts/password-reset/" in mailoutbox[0].body
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.USER_CREATED, target_id=str(nia.pk)
        ).count()
        == 1
    )


def test_a_duplicate_email_is_refused_beside_the_field(medical_director, nurse, location):
    response = client_for(medical_director).post(
        "/accounts/team/new/",
        {
            "full_name": "Again",
            "email": nurse.email.upper(),
            "role": "nurse",
            "locations": [location.pk],
        },
    )
    assert response.status_code == 400
    assert (
        "already exists" in response.content.decode()
        and 'value="Again"' in response.content.decode()
    )


def test_a_patient_role_cannot_be_given_from_the_team_page(medical_director, location):
    with pytest.raises(ClinicError, match="staff role"):
        services.create_staff_account(
            actor=medical_director,
            email="p@x.test",
            full_name="P",
            role="patient",
            locations=[location],
        )


def test_only_the_medical_director_manages_the_team(clinician, location):
    with pytest.raises(PermissionDeniedError):
        services.create_staff_account(
            actor=clinician, email="p@x.test", full_name="P", role="nurse", locations=[location]
        )


def test_changing_a_role_is_audited_with_the_fields_changed(medical_director, nurse, location):
    services.update_staff_account(
        actor=medical_director,
        user=nurse,
        full_name=nurse.full_name,
        role="clinician",
        locations=[location],
        credentials="NP",
    )
    event = AuditEvent.objects.get(event_type=AuditEventType.USER_UPDATED)
    assert event.details == {"fields": ["credentials", "role"], "role": "clinician"}


def test_the_director_cannot_demote_or_deactivate_themself(medical_director, location):
    with pytest.raises(ClinicError):
        services.update_staff_account(
            actor=medical_director,
            user=medical_director,
            full_name="D",
            role="nurse",
            locations=[location],
        )
    with pytest.raises(ClinicError):
        services.set_account_active(actor=medical_director, user=medical_director, active=False)


def test_a_deactivated_person_can_no_longer_sign_in(medical_director, nurse, client):
    client_for(medical_director).post(f"/accounts/team/{nurse.public_id}/active/", {"active": "0"})
    nurse.refresh_from_db()
    assert not nurse.is_active
    client.post(
        "/accounts/login/", {"username": nurse.email, "password": "correct-horse-battery-staple"}
    )
    assert "_auth_user_id" not in client.session


def test_resetting_two_factor_removes_the_devices(medical_director, nurse):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    client_for(medical_director).post(f"/accounts/team/{nurse.public_id}/reset-two-factor/")
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert AuditEvent.objects.filter(event_type=AuditEventType.TWO_FACTOR_RESET).count() == 1


@pytest.mark.django_db
def test_the_team_page_shows_each_persons_last_sign_in_and_two_factor(
    medical_director, nurse, clinician
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django_otp.plugins.otp_totp.models import TOTPDevice

    User.objects.filter(pk=nurse.pk).update(
        last_login=datetime(2026, 11, 30, 14, 5, tzinfo=ZoneInfo("UTC"))
    )
    User.objects.filter(pk=clinician.pk).update(last_login=None)
    TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    page = client_for(medical_director).get("/accounts/team/").content.decode()
    nurse_row = page[page.index(nurse.full_name) :].split("</tr>")[0]
    assert "Nov 30, 2026, 9:05 AM EST" in nurse_row  # in the director's zone (New York)
    assert "Set up" in nurse_row
    clinician_row = page[page.index(clinician.full_name) :].split("</tr>")[0]
    assert "Never" in clinician_row and "Not yet" in clinician_row
