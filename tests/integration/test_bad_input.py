"""No page answers 500 to bad input, whatever is typed or sent."""

from __future__ import annotations

import pytest
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
    assert client.get("/patients/", {"q": query, "status": status, "page": page}).status_code == 200
    assert (
        client.get("/consultations/", {"q": query, "status": status, "page": page}).status_code
        == 200
    )
    assert client.get("/api/v1/patients", {"q": query, "status": status}).status_code in {200, 422}


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
