"""A form posted without its CSRF token is refused on the clinic's own page, saying nothing was
saved and what to do, instead of Django's stock "CSRF verification failed"."""

from django.test import Client

from clinic.intake.models import ConsultationRequest


def test_a_post_without_its_token_is_refused_on_the_clinic_s_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/consultation/", {"first_name": "Ann"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "This form could not be sent" in page and "Nothing was saved" in page
    assert "CSRF verification failed" not in page
    assert not ConsultationRequest.objects.exists()
