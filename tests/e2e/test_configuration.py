"""The medical director changes the IV monitoring limits: a draft, its preview, the review with
the lone director's attestation, and publication."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import ConsentDocument, ContraindicationRuleSet
from clinic.monitoring.models import MonitoringProtocol
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_director_drafts_reviews_and_publishes_monitoring_limits(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    director = UserFactory(
        role=Role.MEDICAL_DIRECTOR, email="director@clinic.test", full_name="Dr. Director"
    )
    director.locations.set([location])

    page = open_page()
    sign_in(page, "director@clinic.test", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Configuration").click()
    expect(page.get_by_role("heading", name="Configuration", level=1)).to_be_visible()
    page.get_by_role("link", name="Monitoring limits: IV infusion").click()
    page.get_by_role("link", name="Start a draft").click()

    page.get_by_label("Alert: SpO₂ below (%)").fill("70")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_contain_text("greater than or equal to 80")
    page.get_by_label("Alert: SpO₂ below (%)").fill("93")
    page.get_by_label("Why the change (optional)").fill("Local sedation policy, 2026")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("#preview")).to_contain_text("Alert: SpO₂ below: 92 % → 93 %")
    expect(page.get_by_text("The clinic has one medical director")).to_be_visible()
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator(".error-summary")).to_contain_text("I have checked these values")
    page.get_by_label("I have checked these values against their sources").check()
    page.get_by_role("button", name="Mark as reviewed").click()
    page.get_by_role("button", name="Publish these values").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Published: Monitoring limits: IV infusion")
    )
    assert MonitoringProtocol.objects.get(route="iv").spo2_min == 93
    page.get_by_role("link", name="Published values and history").click()
    expect(page.locator("#history")).to_contain_text("Published by Dr. Director")


def test_the_director_accepts_a_clinic_policy_value(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    director = UserFactory(
        role=Role.MEDICAL_DIRECTOR, email="director@clinic.test", full_name="Dr. Director"
    )
    director.locations.set([location])

    page = open_page()
    sign_in(page, "director@clinic.test", PASSWORD)
    page.goto("/configuration/")
    page.get_by_role("link", name=re.compile(r"^Values no source fixes")).click()
    stop_levels = page.locator("#value-monitoring-stop-levels")
    expect(stop_levels.get_by_test_id("standing")).to_have_text("UNVERIFIED")
    stop_levels.get_by_label("Note (optional)").fill("Matches our sedation policy")
    stop_levels.get_by_role("button", name="Reviewed and accepted for this clinic").click()

    stop_levels = page.locator("#value-monitoring-stop-levels")
    expect(stop_levels.get_by_test_id("standing")).to_have_text(
        re.compile(r"^Clinic policy, accepted by Dr\. Director on \w{3} \d{1,2}, \d{4}$")
    )
    expect(stop_levels).to_contain_text("Matches our sedation policy")


def test_the_director_publishes_a_new_consent_version(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    director = UserFactory(
        role=Role.MEDICAL_DIRECTOR, email="director@clinic.test", full_name="Dr. Director"
    )
    director.locations.set([location])
    current = ConsentDocument.objects.get(
        code="ketamine-infusion-injection", status=RuleSetStatus.ACTIVE
    )

    page = open_page()
    sign_in(page, "director@clinic.test", PASSWORD)
    page.goto("/configuration/")
    page.get_by_role("link", name=re.compile(r"^Consent documents and education pages")).click()
    page.get_by_role("link", name=current.title).click()
    page.get_by_role("button", name="New version from this one").click()

    body = page.get_by_label("Text the patient reads")
    expect(body).to_have_value(current.body)
    body.fill(current.body + "\n\nTell us about any bladder or urinary symptoms.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#text-changes")).to_contain_text(
        "Added: Tell us about any bladder or urinary symptoms."
    )
    expect(page.locator("#document-preview")).to_contain_text("bladder or urinary symptoms")
    page.get_by_role("button", name=f"Publish version {current.version + 1}").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("— active")
    assert (
        ConsentDocument.objects.get(
            code="ketamine-infusion-injection", status=RuleSetStatus.ACTIVE
        ).version
        == current.version + 1
    )


def test_the_director_publishes_a_new_version_of_the_screening_rules(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    director = UserFactory(
        role=Role.MEDICAL_DIRECTOR, email="director@clinic.test", full_name="Dr. Director"
    )
    director.locations.set([location])
    active = ContraindicationRuleSet.objects.get(status=RuleSetStatus.ACTIVE)

    page = open_page()
    sign_in(page, "director@clinic.test", PASSWORD)
    page.goto("/configuration/")
    page.get_by_role("link", name=re.compile(r"^Contraindication screening rules")).click()
    page.get_by_role("button", name="New version from this one").click()
    page.get_by_role("link", name="Edit Poorly controlled seizure disorder").click()
    page.get_by_label("Severity").select_option("absolute")
    page.get_by_role("button", name="Save rule").click()

    expect(page.locator("#rule-changes")).to_contain_text("Severity: Relative → Absolute")
    page.get_by_role("button", name=f"Publish version {active.version + 1}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("— active")
    assert ContraindicationRuleSet.objects.get(status=RuleSetStatus.ACTIVE).version == (
        active.version + 1
    )


def test_the_director_discards_a_draft_consent_version(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    director = UserFactory(
        role=Role.MEDICAL_DIRECTOR, email="director@clinic.test", full_name="Dr. Director"
    )
    director.locations.set([location])
    current = ConsentDocument.objects.get(
        code="ketamine-infusion-injection", status=RuleSetStatus.ACTIVE
    )

    page = open_page()
    sign_in(page, "director@clinic.test", PASSWORD)
    page.goto("/configuration/documents/consent/ketamine-infusion-injection/")
    page.get_by_role("button", name="New version from this one").click()
    expect(page.locator("#discard-warning")).to_contain_text("cannot be brought back")
    page.get_by_role("button", name=f"Discard draft version {current.version + 1}").click()

    expect(page.get_by_text(f"Draft version {current.version + 1} is discarded")).to_be_visible()
    assert not ConsentDocument.objects.filter(
        code="ketamine-infusion-injection", status=RuleSetStatus.DRAFT
    ).exists()
