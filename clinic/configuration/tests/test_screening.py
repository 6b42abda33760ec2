from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.configuration import services
from clinic.configuration.exceptions import ConfigurationInvalidError
from clinic.core.exceptions import InvalidTransitionError, NotFoundError, PermissionDeniedError
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import ContraindicationRuleSet
from conftest import client_for

pytestmark = pytest.mark.django_db


def _active() -> ContraindicationRuleSet:
    return ContraindicationRuleSet.objects.get(status=RuleSetStatus.ACTIVE)


def _rule_values(rule, **changes) -> dict:
    values = {
        "label": rule.label,
        "severity": rule.severity,
        "field": rule.field,
        "operator": rule.operator,
        "value_text": ", ".join(rule.value)
        if isinstance(rule.value, list)
        else ("" if rule.value is None else str(rule.value)),
        "advice": rule.advice,
        "source": rule.source,
    }
    values.update(changes)
    return values


def test_a_new_version_copies_the_active_rules(medical_director):
    active = _active()

    draft = services.draft_rule_set_version(actor=medical_director)

    assert draft.version == active.version + 1
    assert draft.status == RuleSetStatus.DRAFT
    assert sorted(draft.rules.values_list("code", flat=True)) == sorted(
        active.rules.values_list("code", flat=True)
    )
    assert AuditEvent.objects.filter(event_type=AuditEventType.SCREENING_RULES_DRAFTED).exists()
    with pytest.raises(InvalidTransitionError, match="already waiting"):
        services.draft_rule_set_version(actor=medical_director)


def test_the_director_changes_a_rule_and_publishes_the_version(medical_director):
    active = _active()
    rule = active.rules.get(code="uncontrolled-seizures")
    draft = services.draft_rule_set_version(actor=medical_director)

    services.save_screening_rule(
        actor=medical_director,
        version=draft.version,
        code=rule.code,
        values=_rule_values(rule, severity="absolute", source="Clinic policy, 2026"),
    )
    services.publish_rule_set_version(actor=medical_director, version=draft.version)

    assert _active() == draft
    assert draft.rules.get(code=rule.code).severity == "absolute"
    active.refresh_from_db()
    assert active.status == RuleSetStatus.RETIRED
    assert active.rules.get(code=rule.code).severity == "relative"


def test_a_condition_the_screen_cannot_evaluate_is_refused(medical_director):
    rule = _active().rules.get(code="uncontrolled-seizures")
    draft = services.draft_rule_set_version(actor=medical_director)

    with pytest.raises(ConfigurationInvalidError) as refused:
        services.save_screening_rule(
            actor=medical_director,
            version=draft.version,
            code=rule.code,
            values=_rule_values(rule, operator="gt", value_text="many"),
        )
    assert refused.value.field == "value_text"


def test_a_rule_is_added_and_left_out_of_a_draft(medical_director):
    draft = services.draft_rule_set_version(actor=medical_director)
    count = draft.rules.count()
    added = services.save_screening_rule(
        actor=medical_director,
        version=draft.version,
        code=None,
        values={
            "label": "Baseline systolic above 160 mmHg",
            "severity": "relative",
            "field": "baseline_systolic_mmhg",
            "operator": "gt",
            "value_text": "160",
            "advice": "Treat the blood pressure first.",
            "source": "Clinic policy [UNVERIFIED: clinic policy]",
        },
    )
    assert added.value == 160
    assert draft.rules.count() == count + 1

    services.remove_screening_rule(actor=medical_director, version=draft.version, code=added.code)
    assert draft.rules.count() == count


def test_a_published_version_is_never_changed(medical_director):
    active = _active()
    rule = active.rules.first()
    with pytest.raises(InvalidTransitionError, match="make a new version"):
        services.save_screening_rule(
            actor=medical_director,
            version=active.version,
            code=rule.code,
            values=_rule_values(rule),
        )
    with pytest.raises(InvalidTransitionError):
        services.remove_screening_rule(
            actor=medical_director, version=active.version, code=rule.code
        )


@pytest.mark.parametrize("persona", ["clinician", "nurse"])
def test_only_the_medical_director_changes_the_rules(persona, request):
    with pytest.raises(PermissionDeniedError):
        services.draft_rule_set_version(actor=request.getfixturevalue(persona))
    assert (
        AuditEvent.objects.get(event_type=AuditEventType.SCREENING_RULES_DRAFTED).outcome
        == AuditOutcome.DENIED
    )


def test_unknown_versions_and_rules_are_not_found(medical_director):
    with pytest.raises(NotFoundError):
        services.publish_rule_set_version(actor=medical_director, version=10**40)
    draft = services.draft_rule_set_version(actor=medical_director)
    with pytest.raises(NotFoundError):
        services.remove_screening_rule(
            actor=medical_director, version=draft.version, code="nothing"
        )


def test_the_pages_show_the_changes_before_publishing(
    medical_director, django_assert_max_num_queries
):
    client = client_for(medical_director)
    with django_assert_max_num_queries(12 + (connection.vendor == "postgresql")):
        assert client.get(reverse("configuration:screening")).status_code == 200

    made = client.post(reverse("configuration:screening_new_version"))
    draft = ContraindicationRuleSet.objects.get(status=RuleSetStatus.DRAFT)
    assert made["Location"] == reverse("configuration:screening_version", args=[draft.version])
    rule = draft.rules.get(code="uncontrolled-seizures")
    url = reverse("configuration:screening_rule", args=[draft.version, rule.code])
    assert client.get(url).status_code == 200
    bad = client.post(url, _rule_values(rule, operator="gte", value_text="lots"))
    assert bad.status_code == 400
    assert "is not a number" in bad.content.decode()
    good = client.post(url, _rule_values(rule, severity="absolute"))
    assert good.status_code == 302

    page = client.get(reverse("configuration:screening_version", args=[draft.version]))
    assert "Severity: Relative → Absolute" in page.content.decode()
    client.post(reverse("configuration:screening_publish", args=[draft.version]))
    assert _active().version == draft.version


@pytest.mark.parametrize(
    "path",
    [
        "/configuration/screening/v999/",
        "/configuration/screening/v99999999999999999999999/",
        "/configuration/screening/v1/rules/nothing/",
    ],
)
def test_unknown_screening_pages_are_not_found(medical_director, path):
    assert client_for(medical_director).get(path).status_code == 404


def test_huge_input_is_refused_beside_the_field(medical_director):
    draft = services.draft_rule_set_version(actor=medical_director)
    response = client_for(medical_director).post(
        reverse("configuration:screening_rule_new", args=[draft.version]),
        {
            "label": "x" * 5000,
            "severity": "nope",
            "field": "nothing",
            "operator": "?",
            "source": "",
        },
    )
    assert response.status_code == 400


def test_a_clinician_reads_the_rules_but_cannot_change_them(clinician):
    client = client_for(clinician)
    page = client.get(reverse("configuration:screening"))
    assert page.status_code == 200
    assert "New version from this one" not in page.content.decode()
    assert client.post(reverse("configuration:screening_new_version")).status_code == 403
