"""No page answers 500 to bad input, whatever is typed or sent."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    "height_value",
    "height_unit",
    "weight_value",
    "weight_unit",
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
def test_the_admin_sign_in_page_opens_for_a_visitor(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


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
