"""A minor's consent: the guardian's consent and the patient's own assent, both signed, on each
consent version; the gates that need consent need both."""

import pytest
from django.utils import timezone

from clinic.core.exceptions import ClinicError, InvalidTransitionError, NotFoundError
from clinic.evaluation import services
from clinic.evaluation.models import ConsentDocument
from clinic.evaluation.selectors import consent_status, has_current_consent
from clinic.patients.tests.factories import add_test_guardian, register_test_minor
from conftest import client_for


@pytest.fixture
def minor(clinician, location):
    return register_test_minor(actor=clinician, location=location, portal=True)


@pytest.fixture
def guardian(clinician, minor):
    return add_test_guardian(actor=clinician, patient=minor, portal=True, full_name="Dana Reyes")


def _sign(actor, patient, document, name, *, channel="portal", guardian=None):
    return services.sign_consent(
        actor=actor,
        patient=patient,
        document=document,
        typed_full_name=name,
        signed_on=timezone.localdate(timezone.now(), patient.location.zone),
        channel=channel,
        guardian=guardian,
    )


def test_a_minor_needs_both_the_guardians_consent_and_their_own_assent(minor, guardian):
    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    _sign(minor.user, minor, document, minor.legal_name)
    assert not has_current_consent(minor, "iv")
    row = next(r for r in consent_status(minor) if r["document"] == document)
    assert row["needs_guardian"] and row["signature"] and not row["complete"]
    with pytest.raises(ClinicError, match="guardian's full legal name"):
        _sign(guardian.user, minor, document, minor.legal_name, guardian=guardian)
    signature = _sign(guardian.user, minor, document, "dana  reyes", guardian=guardian)
    assert signature.signed_as == "guardian" and signature.guardian == guardian
    assert has_current_consent(minor, "iv")
    with pytest.raises(InvalidTransitionError, match="guardian has already signed"):
        _sign(guardian.user, minor, document, "Dana Reyes", guardian=guardian)


def test_the_guardians_consent_alone_is_not_enough(minor, guardian):
    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    _sign(guardian.user, minor, document, "Dana Reyes", guardian=guardian)
    assert not has_current_consent(minor, "iv")


def test_a_new_version_needs_both_signatures_again(minor, guardian, medical_director):
    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    _sign(minor.user, minor, document, minor.legal_name)
    _sign(guardian.user, minor, document, "Dana Reyes", guardian=guardian)
    new = ConsentDocument.objects.create(
        code=document.code,
        version=2,
        title=document.title,
        routes=document.routes,
        body=document.body + "\n\nNew paragraph.",
    )
    services.publish_consent_document(actor=medical_director, document=new)
    assert not has_current_consent(minor, "iv")
    _sign(guardian.user, minor, new, "Dana Reyes", guardian=guardian)
    assert not has_current_consent(minor, "iv")
    _sign(minor.user, minor, new, minor.legal_name)
    assert has_current_consent(minor, "iv")


def test_another_familys_guardian_cannot_sign(clinician, location, minor, guardian):
    other = register_test_minor(actor=clinician, location=location)
    stranger = add_test_guardian(actor=clinician, patient=other, portal=True)
    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    with pytest.raises(NotFoundError):
        _sign(stranger.user, minor, document, stranger.full_name, guardian=stranger)
    with pytest.raises(NotFoundError):
        _sign(stranger.user, minor, document, "Dana Reyes", guardian=guardian)


def test_on_the_clinic_tablet_staff_choose_who_signs(nurse, minor, guardian):
    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    client = client_for(nurse)
    url = f"/patients/{minor.public_id}/consent/{document.pk}/tablet/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Dana Reyes, parent (consent)" in page.content.decode()
    today = timezone.localdate(timezone.now(), minor.location.zone).isoformat()
    missing = client.post(url, {"typed_full_name": "Dana Reyes", "signed_on": today, "agree": "on"})
    assert missing.status_code == 400 and "Dana Reyes" in missing.content.decode()
    for signer, name in ((str(guardian.public_id), "Dana Reyes"), ("patient", minor.legal_name)):
        response = client.post(
            url, {"signer": signer, "typed_full_name": name, "signed_on": today, "agree": "on"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert has_current_consent(minor, "iv")
    chart = client.get(f"/patients/{minor.public_id}/?section=evaluation").content.decode()
    assert "Guardian's consent signed" in chart and "Patient's assent signed" in chart
