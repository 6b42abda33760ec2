"""The clinic's address, phone and hours on every patient page and e-mail; the rate-limited page
and the consent form give the number instead of "call the clinic"."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from clinic.assessments.services import send_questionnaires
from clinic.core.models import Location
from clinic.evaluation.models import ConsentDocument
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def hours(location):
    Location.objects.filter(pk=location.pk).update(opening_hours="Mon–Fri 8 am–6 pm")
    location.refresh_from_db()
    return location


@pytest.mark.parametrize(
    "url_name",
    [
        "patients:my_record",
        "scheduling:my_appointments",
        "evaluation:my_consent",
        "evaluation:my_education",
        "assessments:my_side_effects",
        "assessments:report_side_effect",
    ],
)
def test_every_patient_page_shows_the_clinics_address_phone_and_hours(
    hours, patient_alice, url_name
):
    page = client_for(patient_alice.user).get(reverse(url_name)).content.decode()
    assert f'href="tel:{hours.phone}"' in page
    assert hours.address_line1 in page
    assert "Hours: Mon–Fri 8 am–6 pm" in page


def test_public_pages_show_every_active_location(client, hours, other_location):
    page = client.get(reverse("intake:home")).content.decode()
    assert hours.phone in page and other_location.phone in page


def test_staff_pages_leave_the_footer_contact_out(hours, clinician):
    page = client_for(clinician).get(reverse("dashboard:home")).content.decode()
    assert "Hours: Mon–Fri" not in page


def test_the_consent_form_gives_the_clinics_number(hours, patient_alice):
    document = ConsentDocument.objects.filter(status="active").first()
    page = (
        client_for(patient_alice.user)
        .get(reverse("evaluation:sign_in_portal", args=[document.pk]))
        .content.decode()
    )
    assert f'Questions before you sign? Call the clinic at <a href="tel:{hours.phone}">' in page


def test_the_rate_limited_page_gives_the_clinics_number(client, hours, settings):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    page = render_to_string("intake/rate_limited.html", {"message": "Wait."}, request=request)
    assert f'call the clinic: <a href="tel:{hours.phone}">' in page


def test_the_questionnaire_email_ends_with_the_clinics_contact(
    hours, clinician, patient_alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_questionnaires(
            actor=clinician, patient=patient_alice, instrument_codes=["phq9"], context="check_in"
        )
    body = mail.outbox[-1].body
    assert f"Phone: {hours.phone}" in body and "Hours: Mon–Fri 8 am–6 pm" in body
    assert hours.address_line1 in body


def test_the_portal_invitation_ends_with_the_clinics_contact(
    hours, clinician, django_capture_on_commit_callbacks
):
    from clinic.patients.services import invite_patient_to_portal
    from clinic.patients.tests.factories import register_test_patient

    patient = register_test_patient(actor=clinician, location=hours)
    with django_capture_on_commit_callbacks(execute=True):
        invite_patient_to_portal(actor=clinician, patient=patient)
    body = mail.outbox[-1].body
    assert "Choose your password" in body
    assert f"Phone: {hours.phone}" in body and "Hours: Mon–Fri 8 am–6 pm" in body


def test_a_staff_invitation_carries_no_patient_footer(
    hours, medical_director, django_capture_on_commit_callbacks
):
    from clinic.accounts.services import create_staff_account

    with django_capture_on_commit_callbacks(execute=True):
        create_staff_account(
            actor=medical_director,
            email="new.nurse@example.com",
            full_name="New Nurse",
            role="nurse",
            locations=[hours],
        )
    assert "Hours:" not in mail.outbox[-1].body


def test_the_reply_waiting_email_ends_with_the_clinics_contact(
    hours, clinician, patient_alice, django_capture_on_commit_callbacks
):
    from clinic.messaging.models import Notice
    from clinic.messaging.notices import notice_text
    from clinic.messaging.tests.factories import patient_writes, reply

    conversation = patient_writes(patient_alice).conversation
    reply(clinician, conversation)
    notice = Notice.objects.get(channel="email")
    _subject, body = notice_text(notice)
    assert f"Phone: {hours.phone}" in body and "Hours: Mon–Fri 8 am–6 pm" in body


def test_a_guardians_pages_show_the_patients_clinic(hours, clinician):
    from clinic.patients.tests.factories import add_test_guardian, register_test_minor

    minor = register_test_minor(actor=clinician, location=hours)
    guardian = add_test_guardian(actor=clinician, patient=minor, portal=True)
    page = client_for(guardian.user).get(reverse("patients:my_record")).content.decode()
    assert f'href="tel:{hours.phone}"' in page and "Hours: Mon–Fri 8 am–6 pm" in page
