"""How the configuration pages word a value: one of a counted unit is singular, a version's
status is said once (no brackets inside brackets), and each unit appears once."""

from __future__ import annotations

from django.urls import reverse

from clinic.configuration.targets import counted
from clinic.core.templatetags.clinic_tags import status_phrase
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import ContraindicationRuleSet
from conftest import client_for


def test_one_of_a_counted_unit_is_singular():
    assert counted(1, "days") == "1 day"
    assert counted(2, "days") == "2 days"
    assert counted(0, "minutes") == "0 minutes"
    assert counted(1, "mg/kg") == "1 mg/kg"


def test_a_status_is_said_once():
    assert status_phrase(RuleSetStatus.ACTIVE.label) == "active, used for new decisions"
    assert status_phrase(RuleSetStatus.DRAFT.label) == "draft, being edited"
    assert status_phrase(RuleSetStatus.RETIRED.label) == "retired"


def test_the_home_says_1_day_between_doses(medical_director, iv_protocol):
    iv_protocol.minimum_days_between_doses = 1
    iv_protocol.save(update_fields=["minimum_days_between_doses"])
    text = client_for(medical_director).get(reverse("configuration:home")).content.decode()
    assert "at least 1 day between doses" in text and "1 days" not in text


def test_the_sign_off_page_words_its_values_plainly(medical_director, iv_protocol):
    iv_protocol.minimum_days_between_doses = 1
    iv_protocol.save(update_fields=["minimum_days_between_doses"])
    text = client_for(medical_director).get(reverse("configuration:unverified")).content.decode()
    assert "1 days" not in text and "Days between doses: 1 day" in text
    assert "stock admin" not in text and "changed in the admin site" in text
    assert "minutes (minutes)" not in text and "(minutes)" not in text


def test_the_screening_version_heading_says_its_status_once(medical_director):
    active = ContraindicationRuleSet.objects.get(status=RuleSetStatus.ACTIVE)
    url = reverse("configuration:screening_version", args=[active.version])
    text = client_for(medical_director).get(url).content.decode()
    assert f"version {active.version} — active, used for new decisions</h1>" in text
    assert "(active (" not in text
