"""The patient sees their own treatment goals in the portal, in plain words, and nobody else's."""

from __future__ import annotations

import pytest

from clinic.audit.models import AuditEvent
from clinic.sessions.tests.factories import plan_for
from conftest import client_for

pytestmark = pytest.mark.django_db

ALICE_GOALS = (
    {"words": "back at work", "measure": "", "target_date": "2027-03-01"},
    {
        "words": "feel like myself",
        "measure": "phq9",
        "comparison": "below",
        "value": "10",
        "target_date": "2027-01-15",
    },
)
BOB_GOALS = ({"words": "play the piano again", "measure": "", "target_date": "2027-05-01"},)


def test_a_patient_sees_only_their_own_goals_whatever_the_address_says(
    clinician, patient_alice, patient_bob
):
    alice_version = plan_for(clinician, patient_alice, goals=ALICE_GOALS)
    bob_version = plan_for(clinician, patient_bob, goals=BOB_GOALS)
    client = client_for(patient_alice.user)
    page = client.get("/portal/goals/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "“back at work”" in html and "By Mar 1, 2027" in html
    assert "questionnaire (PHQ-9) score below 10, by Jan 15, 2027" in html
    assert "piano" not in html
    # Another patient's identifiers in the address choose nothing.
    for probe in (
        {"patient": str(patient_bob.public_id)},
        {"plan": str(bob_version.plan.public_id)},
        {"version": str(bob_version.pk)},
    ):
        probed = client.get("/portal/goals/", probe).content.decode()
        assert "piano" not in probed and "back at work" in probed
    assert client.get(f"/portal/goals/{patient_bob.public_id}/").status_code == 404
    assert AuditEvent.objects.filter(patient_id=patient_alice.pk, actor=patient_alice.user).exists()
    assert alice_version.goals


def test_staff_and_strangers_are_refused_the_portal_page(clinician, patient_alice):
    assert client_for(clinician).get("/portal/goals/").status_code in (302, 403)
    anonymous = client_for(None).get("/portal/goals/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_a_patient_without_goals_is_told_so(clinician, patient_alice):
    plan_for(clinician, patient_alice)
    html = client_for(patient_alice.user).get("/portal/goals/").content.decode()
    assert 'id="no-goals"' in html
