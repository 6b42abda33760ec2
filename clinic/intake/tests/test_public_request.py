"""A visitor asks for a consultation on the public site."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.intake.models import ConsultationRequest

URL = "/consultation/"


@pytest.fixture
def form_data(location):
    return {
        "first_name": "Riley",
        "last_name": "Park",
        "preferred_name": "",
        "date_of_birth": "1990-06-01",
        "email": "Riley.Park@Example.com",
        "phone": "(617) 555-0142",
        "preferred_contact_method": "phone",
        "preferred_contact_times": ["morning", "evening"],
        "location": str(location.pk),
        "conditions": ["trd", "other"],
        "other_condition": "Postpartum depression",
        "treatments_tried": "Sertraline; CBT.",
        "message": "Hoping to talk.",
        "consent_to_contact": "on",
        "website": "",
    }


def test_a_complete_request_is_saved_confirmed_and_announced(
    client, form_data, location, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302 and response["Location"] == "/consultation/thanks/"
    request = ConsultationRequest.objects.get()
    assert request.email == "riley.park@example.com"
    assert request.conditions == ["trd", "other"]
    assert request.preferred_contact_times == ["morning", "evening"]
    assert request.status == "new" and request.location == location
    assert request.consent_to_contact and "contact me" in request.consent_text
    assert request.submitted_ip == "203.0.113.5"
    assert request.activities.count() == 1
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.CONSULTATION_SUBMITTED, target_id=str(request.pk)
        ).count()
        == 1
    )
    # The clinic is told, without any health details in the e-mail.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert str(request.public_id) in message.body
    assert "Riley" not in message.body and "depression" not in message.body.lower()
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you, Riley" in thanks


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "riley@", "Enter a valid email address."),
        ("phone", "call me maybe", "Enter a phone number that can be called"),
        ("phone", "12345", "with its area code"),
        ("date_of_birth", "2099-01-01", "cannot be in the future"),
        ("date_of_birth", "31/31/1990", "Enter a valid date."),
        ("consent_to_contact", "", "Please agree to be contacted"),
        ("conditions", [], "This field is required."),
        ("conditions", ["unicorn"], "Select a valid choice"),
        ("other_condition", "", "Please describe the condition"),
        ("first_name", "", "This field is required."),
        ("preferred_contact_method", "pigeon", "Select a valid choice"),
        ("location", "999999", "Select a valid choice"),
    ],
)
def test_each_bad_field_gets_a_clear_message_and_nothing_typed_is_lost(
    client, form_data, field, value, message
):
    form_data[field] = value
    response = client.post(URL, form_data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'id="field-{field}"' in page
    # Everything else the visitor typed is still in the form.
    assert 'value="Riley"' in page or field == "first_name"
    assert "Sertraline; CBT." in page
    assert ConsultationRequest.objects.count() == 0


def test_a_person_under_18_is_told_the_clinic_treats_adults(client, form_data):
    form_data["date_of_birth"] = (timezone.localdate() - timedelta(days=17 * 365)).isoformat()
    response = client.post(URL, form_data)
    assert response.status_code == 400
    assert "at least 18 years old" in response.content.decode()


def _clinic_minimum_age(years: int) -> None:
    from clinic.patients.models import PatientPolicy

    PatientPolicy.objects.update_or_create(singleton=True, defaults={"minimum_age_years": years})


def _born_years_ago(years: int, extra_days: int = 0) -> str:
    today = timezone.localdate()
    return (today.replace(year=today.year - years) - timedelta(days=extra_days)).isoformat()


def test_an_under_18_request_is_accepted_only_when_the_clinic_allows_minors(client, form_data):
    # Given a 16-year-old, when the clinic sees adults only (the default), then refused …
    form_data["date_of_birth"] = _born_years_ago(16, extra_days=30)
    refused = client.post(URL, form_data)
    assert refused.status_code == 400
    assert "adults only: you must be at least 18 years old" in refused.content.decode()
    assert ConsultationRequest.objects.count() == 0
    # … and what they typed is kept.
    assert "Riley.Park@Example.com" in refused.content.decode()
    # When the medical director allows patients from 12, then accepted.
    _clinic_minimum_age(12)
    page = client.get(URL).content.decode()
    assert "We treat patients aged 12 and over" in page
    accepted = client.post(URL, form_data)
    assert accepted.status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_a_child_below_the_clinics_minimum_age_is_refused_even_when_minors_are_seen(
    client, form_data
):
    _clinic_minimum_age(12)
    form_data["date_of_birth"] = _born_years_ago(11, extra_days=200)
    response = client.post(URL, form_data)
    assert response.status_code == 400
    assert "Our clinic treats patients aged 12 and over." in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


def test_the_request_service_itself_follows_the_minimum_age(location):
    from datetime import date

    from clinic.core.exceptions import ClinicError
    from clinic.intake.services import submit_consultation_request
    from clinic.intake.tests.factories import request_data

    data = request_data(date_of_birth=date.fromisoformat(_born_years_ago(15)))
    with pytest.raises(ClinicError, match="adults only"):
        submit_consultation_request(data=data, location=location, ip_address=None)
    _clinic_minimum_age(14)
    assert submit_consultation_request(data=data, location=location, ip_address=None).pk


def test_a_bot_that_fills_the_honeypot_sees_thanks_but_nothing_is_saved(client, form_data):
    form_data["website"] = "http://spam.example"
    response = client.post(URL, form_data)
    assert response.status_code == 302
    assert ConsultationRequest.objects.count() == 0
    assert mail.outbox == []


@override_settings(CLINIC_CONSULTATION_RATE_LIMIT_PER_HOUR=3)
def test_a_flood_from_one_address_gets_a_polite_429(client, form_data):
    for _ in range(3):
        assert client.post(URL, form_data, REMOTE_ADDR="198.51.100.7").status_code == 302
    response = client.post(URL, form_data, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()
    assert ConsultationRequest.objects.count() == 3
    # Another address is not affected.
    assert client.post(URL, form_data, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_garbage_posts_never_cause_a_server_error(client, location):
    for payload in [
        {},
        {"date_of_birth": "0000-00-00"},
        {"conditions": "x" * 10000},
        {"location": "abc"},
        {"email": "\x00"},
    ]:
        assert client.post(URL, payload).status_code == 400


def test_the_form_shows_every_condition_the_clinic_treats(client, location):
    page = client.get(URL).content.decode()
    for label in [
        "Treatment-resistant depression",
        "Anxiety disorders",
        "PTSD",
        "Bipolar depression",
        "OCD",
        "Chronic pain",
        "Neuropathic pain",
        "CRPS",
        "Other",
    ]:
        assert label in page


def test_without_an_open_location_the_form_says_so_instead_of_failing(client, organisation):
    response = client.get(URL)
    assert response.status_code == 503
    assert "not taking requests online yet" in response.content.decode()


@override_settings(CLINIC_CONSULTATION_RATE_LIMIT_PER_HOUR=2, CLINIC_TRUSTED_PROXIES=["10.0.0.5"])
def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, form_data):
    def post(forwarded, remote="10.0.0.5"):
        return client.post(URL, form_data, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert [post("203.0.113.1").status_code for _ in range(3)] == [302, 302, 429]
    # Another client behind the same proxy is not affected.
    assert post("203.0.113.2").status_code == 302
    assert ConsultationRequest.objects.filter(submitted_ip="203.0.113.2").count() == 1
    # A client that is not the proxy cannot pick a fresh address by writing the header.
    assert [post(f"192.0.2.{n}", remote="198.51.100.9").status_code for n in range(3)] == [
        302,
        302,
        429,
    ]
