"""Cache-Control: no-store on everything that may carry patient data; only the public
information pages, shown to someone not signed in, may be cached. The token pages (questionnaire
and check-in links, calendar feeds) are tested beside their views."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from clinic.core.caching import NoStoreMiddleware, cacheable_public_page
from conftest import client_for

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/treatment/", "/conditions/", "/safety/"])
def test_a_public_information_page_may_be_cached_when_nobody_is_signed_in(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert not no_store(response)


@pytest.mark.parametrize("persona", ["clinician", "front_desk", "patient_alice"])
def test_every_page_shown_to_someone_signed_in_is_not_stored(personas, persona):
    client = client_for(personas[persona])
    for path in ("/", "/accounts/home/"):
        response = client.get(path)
        assert no_store(response), path
        assert "private" in response["Cache-Control"]


def test_staff_and_patient_record_pages_are_not_stored(clinician, patient_alice):
    assert no_store(client_for(clinician).get("/patients/"))
    assert no_store(client_for(clinician).get(f"/patients/{patient_alice.public_id}/"))
    assert no_store(client_for(patient_alice.user).get("/patients/me/"))


def test_every_api_answer_is_not_stored(client, clinician, patient_alice):
    assert no_store(client_for(clinician).get(f"/api/v1/patients/{patient_alice.public_id}"))
    refused = client.get("/api/v1/patients")
    assert refused.status_code == 401
    assert no_store(refused)


def test_pages_that_are_not_marked_public_are_not_stored_even_anonymously(client):
    # The fail-safe side of the rule: the sign-in and consultation forms, a password-reset link,
    # a page that does not exist.
    for path in (
        "/accounts/login/",
        "/consultation/",
        "/accounts/password-reset/MQ/set-password/",
        "/no-such-page/",
    ):
        assert no_store(client.get(path)), path


def test_a_redirect_to_sign_in_is_not_stored(client):
    response = client.get("/patients/")
    assert response.status_code == 302
    assert no_store(response)


def test_only_a_marked_view_is_cacheable_and_only_for_anonymous_visitors(clinician):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.urls import ResolverMatch

    def plain(request):
        return HttpResponse("x")

    marked = cacheable_public_page(lambda request: HttpResponse("x"))

    def answer(view, user):
        request = RequestFactory().get("/")
        request.user = user
        request.resolver_match = ResolverMatch(view, (), {})
        return NoStoreMiddleware(view)(request)

    assert not no_store(answer(marked, AnonymousUser()))
    assert no_store(answer(marked, clinician))
    assert no_store(answer(plain, AnonymousUser()))
