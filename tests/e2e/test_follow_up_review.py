"""In the browser: after the sixth infusion a review falls due; the clinician opens it, sees the
progress (PHQ-9 20 → 8, a response; six sessions given) and the progress against the plan's goals
(PHQ-9 below 10: met), decides to move to maintenance and signs;
the drafted plan version waits on the plan page, where they check and sign it, and the next
review appears among those due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from clinic.reviews.models import FollowUpReview
from clinic.reviews.scheduling import after_session_locked
from clinic.reviews.tests.factories import induction_course
from clinic.treatment.models import TreatmentPlanVersion
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_clinician_reviews_after_the_sixth_infusion_and_moves_to_maintenance(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Joy")
    for person in (clinician, nurse):
        person.locations.set([location])
    patient = register_test_patient(
        actor=clinician,
        location=location,
        first_name="Alice",
        last_name="Moreno",
        sex="female",
        portal=True,
    )
    goals = (
        {
            "words": "feel like myself again",
            "measure": "phq9",
            "comparison": "below",
            "value": "10",
            "target_date": "2027-01-15",
        },
        {"words": "back at work", "measure": "", "target_date": "2027-03-01"},
    )
    _version, given = induction_course(clinician, nurse, patient, goals=goals)
    # The sixth session's record is signed and locked: the review falls due (the hook runs inside
    # the signing's transaction, as here).
    with transaction.atomic():
        after_session_locked(given[-1])

    doc = open_page()
    sign_in(doc, "doc@clinic.test", PASSWORD)
    doc.goto(f"/patients/{patient.public_id}/?section=reviews")
    due = doc.locator("#reviews-due")
    expect(due).to_contain_text("Review after the induction series (6 sessions)")
    due.get_by_label("How you meet").select_option("video")
    due.get_by_role("button", name="Open this review").click()

    facts = doc.locator("#review-facts")
    expect(facts).to_contain_text("6 given")
    scores = doc.locator("#facts-scores")
    expect(scores).to_contain_text("PHQ-9")
    expect(scores).to_contain_text("-60 %")
    expect(scores.locator("tbody .badge-success").first).to_have_text("Response")
    expect(doc.locator("#facts-side-effects")).to_contain_text("Nausea or vomiting")
    expect(doc.locator("#facts-alerts")).to_contain_text("Systolic 172 mmHg")
    progress = doc.locator("#facts-goals")
    expect(progress).to_contain_text("“feel like myself again”")
    expect(progress).to_contain_text("PHQ-9 below 10 by Jan 15, 2027")
    expect(progress).to_contain_text("20 → 8; target below 10")
    expect(progress.locator("tbody tr").first.locator(".badge")).to_have_text("Met")
    expect(progress).to_contain_text("“back at work”")

    doc.get_by_label("The patient's concerns (in their words)").fill(
        "Wants to know how long the effect lasts."
    )
    doc.get_by_label("Your assessment").fill("PHQ-9 down 60 %: a response. Tolerating well.")
    doc.get_by_label("Decision", exact=True).select_option("to_maintenance")
    doc.get_by_label("Reason for the decision").fill("Response after the induction series.")
    doc.get_by_label("Interval between sessions (days)").fill("21")
    doc.get_by_label("Your password (to sign)").fill(PASSWORD)
    doc.get_by_role("button", name="Sign the review and decision").click()
    expect(doc.get_by_text("The next plan version is drafted")).to_be_visible()
    expect(doc.locator("#review-status")).to_have_text("Signed")
    expect(doc.locator("#review-next-due")).to_be_visible()
    review = FollowUpReview.objects.get(patient=patient)
    assert review.status == "signed" and review.plan_draft is not None

    doc.get_by_role("link", name="Treatment plan").click()
    expect(doc.locator("#plan-draft-waiting")).to_contain_text("A draft of version 2")
    doc.get_by_role("link", name="Check and sign the drafted version").click()
    expect(doc.locator("#plan-draft")).to_contain_text("Move from induction to maintenance")
    expect(doc.get_by_label("Maintenance every (days)")).to_have_value("21")
    expect(doc.get_by_label("Induction sessions")).to_have_value("1")
    # The goals come with the drafted version, to keep or change before signing.
    expect(doc.locator("#id_goal-0-words")).to_have_value("feel like myself again")
    expect(doc.locator("#id_goal-1-words")).to_have_value("back at work")
    doc.get_by_role("button", name="Calculate the dose and dates").click()
    doc.get_by_label("Your password (to sign)").fill(PASSWORD)
    doc.get_by_role("button", name="Sign plan").click()
    expect(doc.get_by_text("The plan is signed.")).to_be_visible()
    version = TreatmentPlanVersion.objects.get(plan__patient=patient, number=2)
    assert version.change_reason == "maintenance" and version.maintenance_interval_days == 21
    assert version.goals == list(goals)
    expect(doc.locator("#plan-goals")).to_contain_text("“back at work” — by Mar 1, 2027")

    doc.goto(f"/patients/{patient.public_id}/?section=reviews")
    next_due = timezone.localdate() + timedelta(weeks=8)
    expect(doc.locator("#reviews-due")).to_contain_text(next_due.strftime("%b %-d, %Y"))
    expect(doc.locator("#reviews-list")).to_contain_text("Move from induction to maintenance")
