"""No page answers 500 to bad input, whatever is typed or sent."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.evaluation.tests.factories import complete_evaluation
from conftest import client_for

text = st.text(max_size=300)
field_values = st.one_of(
    text,
    st.lists(text, max_size=3),
    st.sampled_from(
        ["", "0", "-1", "2026-02-30", "1e309", "../../etc/passwd", "<script>", "\x00", "9" * 400]
    ),
)

PUBLIC_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "preferred_contact_method",
    "preferred_contact_times",
    "location",
    "conditions",
    "other_condition",
    "consent_to_contact",
    "website",
]
PATIENT_FIELDS = [
    "legal_first_name",
    "legal_last_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "home_location",
    "primary_conditions",
    "height_cm",
    "height_cm_unit",
    "height_cm_inches",
    "weight_kg",
    "weight_kg_unit",
    "emergency_contact_phone",
]

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.dictionaries(st.sampled_from(PUBLIC_FIELDS), field_values))
def test_the_public_form_answers_any_post_with_a_page_not_an_error(client, location, data):
    response = client.post("/consultation/", data)
    assert response.status_code in {302, 400, 429}


@FUZZ
@given(data=st.dictionaries(st.sampled_from(PATIENT_FIELDS), field_values))
def test_the_patient_form_answers_any_post_with_a_page_not_an_error(clinician, data):
    response = client_for(clinician).post("/patients/new/", data)
    assert response.status_code in {302, 400}


@FUZZ
@given(query=text, status=text, page=text)
def test_searching_never_fails(clinician, query, status, page):
    client = client_for(clinician)
    params = {"q": query, "status": status, "page": page}
    # 400 only for a NUL character, which no database query may carry.
    assert client.get("/patients/", params).status_code in {200, 400}
    assert client.get("/consultations/", params).status_code in {200, 400}
    assert client.get("/api/v1/patients", params).status_code in {200, 400, 422}


@pytest.mark.parametrize(
    "path",
    [
        "/patients/not-a-uuid/",
        "/consultations/123/",
        "/accounts/team/x/",
        "/patients/00000000-0000-0000-0000-000000000000/edit/",
    ],
)
def test_malformed_addresses_are_404_pages(clinician, medical_director, path):
    assert client_for(medical_director).get(path).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/patients/", {"q": "a\x00b"}),
        ("get", "/api/v1/patients", {"status": "\x00"}),
        ("post", "/accounts/login/", {"username": "x\x00@example.com", "password": "p"}),
    ],
)
def test_a_nul_character_is_refused_on_every_database(clinician, location, method, path, data):
    client = client_for(clinician)
    response = (
        client.post(path, urlencode(data), content_type="application/x-www-form-urlencoded")
        if method == "post"
        else client.get(path, data)
    )
    assert response.status_code == 400
    assert "cannot accept" in response.content.decode()


def test_a_form_field_refuses_a_nul_character_beside_the_field(client, location):
    response = client.post("/consultation/", {"first_name": "x\x00"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def test_the_api_refuses_an_unknown_status_with_422(clinician):
    assert client_for(clinician).get("/api/v1/patients", {"status": "asleep"}).status_code == 422


# --- far dates, odd cookies and the admin's sign-in page ------------------------------------
FAR_DAYS = ["9999-12-31", "0001-01-01", "10000-01-01", "2026-13-01", "-1"]


def test_the_admin_sign_in_page_opens_for_a_visitor(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("day", FAR_DAYS)
@pytest.mark.parametrize("view", ["day", "week"])
def test_the_calendar_shows_today_for_a_date_out_of_range(front_desk, day, view):
    from django.utils import timezone

    response = client_for(front_desk).get("/calendar/", {"day": day, "view": view})
    assert response.status_code == 200
    assert response.context["start_day"].year == timezone.localdate().year or view == "week"
    assert abs((response.context["start_day"] - timezone.localdate()).days) <= 7


def _plan_data(**changes) -> dict:
    from clinic.treatment.models import ProtocolTemplate

    protocol = ProtocolTemplate.objects.filter(is_active=True, route="iv").first()
    return {
        "protocol": protocol.pk,
        "indications": [protocol.indication],
        "dose": "0.5",
        "weight_basis": "actual",
        "infusion_minutes": protocol.infusion_minutes or 40,
        "induction_sessions": 6,
        "induction_sessions_per_week": 2,
        "maintenance_interval_days": 28,
        "start_date": "9999-12-31",
        "target_outcomes": "Response",
        "change_reason": "initial",
        "action": "preview",
        **changes,
    }


@pytest.mark.parametrize("start_date", ["9999-12-31", "0001-01-01", "2099-01-01"])
def test_a_plan_starting_in_a_far_year_is_refused_beside_the_field(
    clinician, patient_alice, start_date
):
    from clinic.evaluation import services as evaluation_services
    from conftest import PASSWORD

    evaluation = complete_evaluation(clinician, patient_alice)
    evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="Suitable.",
        password=PASSWORD,
    )
    response = client_for(clinician).post(
        f"/patients/{patient_alice.public_id}/plan/", _plan_data(start_date=start_date)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["start_date"][0] in {
        "Choose a date within the next 3 years.",
        "Choose today or a later date.",
    }


@pytest.mark.parametrize("hour", ["23:00", "10:00", "00:00"])
@pytest.mark.parametrize("day", ["9999-12-31", "2200-06-01"])
def test_booking_in_a_far_year_is_refused_beside_the_date(front_desk, patient_alice, day, hour):
    from clinic.scheduling.models import Appointment, AppointmentType

    kind = AppointmentType.objects.filter(is_active=True, needs_room=False).first()
    response = client_for(front_desk).post(
        f"/patients/{patient_alice.public_id}/appointments/book/",
        {"appointment_type": kind.pk, "day": day, "at": hour},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["day"] == ["Choose a date within the next 3 years."]
    assert not Appointment.objects.exists()


def _date_forms(location):
    """Every form of the product with a date or date-time field, by the name of that field."""
    from clinic.assessments.forms import InstrumentAnswersForm, SideEffectReportForm
    from clinic.assessments.instruments import get_instrument
    from clinic.audit.forms import AuditFilterForm
    from clinic.core.models import Location
    from clinic.evaluation.forms import BaselineVitalsForm, ConsentSignForm
    from clinic.intake.forms import ConsultationRequestForm
    from clinic.patients.forms import PatientForm
    from clinic.scheduling.forms import BookingForm, MoveForm
    from clinic.sessions.forms import ConfirmDoseForm
    from clinic.treatment.forms import PlanForm

    locations = Location.objects.all()
    return [
        (lambda data: BookingForm(data, location=location), "day"),
        (MoveForm, "day"),
        (PlanForm, "start_date"),
        (AuditFilterForm, "date_from"),
        (AuditFilterForm, "date_to"),
        (BaselineVitalsForm, "taken_at"),
        (ConsentSignForm, "signed_on"),
        (
            lambda data: InstrumentAnswersForm(data, instrument=get_instrument("phq9"), staff=True),
            "taken_at",
        ),
        (ConfirmDoseForm, "vial_expiry"),
        (SideEffectReportForm, "started_on"),
        (ConsultationRequestForm, "date_of_birth"),
        (
            lambda data: PatientForm(data, locations=locations, show_measurements=False),
            "date_of_birth",
        ),
    ]


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "9999-12-31T23:59", "1899-12-31"])
def test_every_date_field_refuses_a_date_far_from_today_beside_the_field(location, value):
    for make, name in _date_forms(location):
        if "T" in value and name != "taken_at":
            continue
        form = make({name: value})
        form.is_valid()
        # Refused as out of range (the date itself is a valid one), beside the field.
        assert form.errors.get(name), f"{make} {name}={value}"
        assert "Enter a valid" not in form.errors[name][0]


@pytest.mark.parametrize("name", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_an_audit_date_filter_out_of_range_is_refused_beside_the_filter(
    medical_director, name, value
):
    response = client_for(medical_director).get("/audit/", {name: value})
    assert response.status_code == 400
    assert "Choose a date within the" in response.content.decode()


def test_booking_in_the_hour_the_clocks_skip_is_not_an_error(front_desk, patient_alice):
    from datetime import date, timedelta

    from django.utils import timezone

    from clinic.scheduling.models import AppointmentType

    # The second Sunday of next March: clocks in Boston go from 02:00 to 03:00.
    march = date(timezone.localdate().year + 1, 3, 1)
    second_sunday = march + timedelta(days=(6 - march.weekday()) % 7 + 7)
    kind = AppointmentType.objects.filter(is_active=True, needs_room=False).first()
    response = client_for(front_desk).post(
        f"/patients/{patient_alice.public_id}/appointments/book/",
        {"appointment_type": kind.pk, "day": second_sunday.isoformat(), "at": "02:30"},
    )
    assert response.status_code in {302, 400, 409}


# Raw Cookie headers, as a browser or a script could send them: a quoted value's octal escape
# (\\000) is unquoted to a NUL by Django's cookie parser, which PostgreSQL cannot compare.
BAD_COOKIE_VALUES = [
    '"abc\\\\x00"',
    '"abcdefgh\\000"',
    "abcdefgh\x00",
    "abcdefgh%00",
    '"abcdefgh\\\\u0000"',
    "abcdefgh\xff\x7f",
    "x" * 5000,
    '"unterminated',
]


@pytest.mark.parametrize("value", BAD_COOKIE_VALUES)
@pytest.mark.parametrize("name", ["sessionid", "csrftoken"])
def test_a_malformed_session_or_csrf_cookie_is_ignored(location, name, value):
    client = Client(raise_request_exception=False)
    cookie = {"HTTP_COOKIE": f"{name}={value}"}
    assert client.get("/accounts/login/", **cookie).status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "a@example.com", "password": "p"}, **cookie
    )
    # 403: without a usable CSRF cookie the sign-in form is refused, as with no cookie at all.
    assert response.status_code in {200, 400, 403}
    assert client.get("/admin/login/", **cookie).status_code == 200


@pytest.mark.parametrize("value", BAD_COOKIE_VALUES)
def test_a_malformed_session_cookie_sends_a_member_of_staff_to_sign_in(medical_director, value):
    response = Client(raise_request_exception=False).get(
        "/audit/", HTTP_COOKIE=f"sessionid={value}"
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_error_page_itself_survives_a_request_whose_user_cannot_be_read(rf):
    from django.utils.functional import SimpleLazyObject

    from clinic.core.views import server_error

    def broken():
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")

    request = rf.get("/")
    request.user = SimpleLazyObject(broken)
    response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


CALENDAR_AND_AUDIT_VALUES = st.one_of(
    st.text(max_size=200),
    st.text(min_size=2000, max_size=5000),
    st.sampled_from(
        [
            "9999-12-31",
            "0001-01-01",
            "10000-01-01",
            "2026-02-30",
            "1e309",
            "\x00",
            "%00",
            "\u202e2026-01-01",
            "２０２６-０１-０１",
            "20260101",
            "2026-W01",
        ]
    ),
    st.dates().map(str),
)


@FUZZ
@given(day=CALENDAR_AND_AUDIT_VALUES, view=CALENDAR_AND_AUDIT_VALUES)
def test_the_calendar_never_fails_whatever_the_day_or_view(medical_director, day, view):
    response = client_for(medical_director).get("/calendar/", {"day": day, "view": view})
    assert response.status_code in {200, 400}


@FUZZ
@given(
    filters=st.dictionaries(
        st.sampled_from(
            ["actor", "mrn", "group", "event_type", "outcome", "date_from", "date_to", "page"]
        ),
        CALENDAR_AND_AUDIT_VALUES,
    )
)
def test_the_audit_log_never_fails_whatever_the_filters(medical_director, filters):
    response = client_for(medical_director).get("/audit/", filters)
    assert response.status_code in {200, 400}
