from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

import clinic
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.configuration import selectors, services
from clinic.configuration.models import ClinicPolicyAcceptance
from clinic.configuration.unverified import MARK, REGISTRY, covered_fields, covered_models
from clinic.core.exceptions import NotFoundError, PermissionDeniedError
from clinic.monitoring.models import MonitoringProtocol
from conftest import client_for

CLINIC = Path(clinic.__file__).parent
PAGE = reverse("configuration:unverified")


def _marked_in_models() -> tuple[set[str], set[str]]:
    """("app.Model.field" whose definition or the comment above it says UNVERIFIED, "app.Model"
    whose docstring does), read from every app's models.py."""
    fields, models_marked = set(), set()
    for path in sorted(CLINIC.glob("*/models.py")):
        source = path.read_text()
        lines = source.splitlines()
        app_config = next(
            config
            for config in apps.get_app_configs()
            if config.name == f"clinic.{path.parent.name}"
        )
        for node in ast.parse(source).body:
            if not isinstance(node, ast.ClassDef):
                continue
            label = f"{app_config.label}.{node.name}"
            if MARK in (ast.get_docstring(node) or ""):
                models_marked.add(label)
            previous_end = node.body[0].end_lineno or node.lineno
            for statement in node.body[1:]:
                text = "\n".join(lines[previous_end : statement.end_lineno])
                previous_end = statement.end_lineno or previous_end
                if MARK not in text or not isinstance(statement, ast.Assign):
                    continue
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        fields.add(f"{label}.{target.id}")
    return fields, models_marked


def test_the_registry_covers_every_unverified_mark_in_the_models():
    fields, models_marked = _marked_in_models()

    assert fields, "the scan found no UNVERIFIED mark at all"
    assert sorted(fields - covered_fields()) == []
    assert sorted(models_marked - covered_models()) == []


def test_every_registry_key_is_unique_and_every_field_exists():
    assert len({item.key for item in REGISTRY}) == len(REGISTRY)
    for name in covered_fields():
        app_label, model, field = name.split(".")
        apps.get_model(app_label, model)._meta.get_field(field)


@pytest.mark.django_db
def test_every_value_reads_from_the_seeded_clinic(medical_director):
    areas = selectors.list_unverified_values(medical_director)
    shown = {item.item.key: item for _area, items in areas for item in items}

    assert set(shown) == {item.key for item in REGISTRY}
    stop = shown["monitoring-stop-levels"]
    assert stop.standing == "UNVERIFIED"
    assert ("Monitoring limits: IV infusion", stop.readings[1][1]) in stop.readings
    assert (
        "Stop: systolic at or above: 180 mmHg"
        in dict(stop.readings)["Monitoring limits: IV infusion"]
    )
    assert shown["screening-clinic-rules"].readings


@pytest.mark.django_db
def test_accepting_a_value_changes_its_label_until_the_value_changes(medical_director):
    services.accept_clinic_policy(
        actor=medical_director, key="monitoring-stop-levels", note="Matches our sedation policy"
    )

    def standing() -> str:
        areas = selectors.list_unverified_values(medical_director)
        return next(
            shown.standing
            for _area, items in areas
            for shown in items
            if shown.item.key == "monitoring-stop-levels"
        )

    assert standing().startswith("Clinic policy, accepted by Dr. Director on ")
    event = AuditEvent.objects.get(event_type=AuditEventType.CLINIC_POLICY_ACCEPTED)
    assert event.details["key"] == "monitoring-stop-levels"
    MonitoringProtocol.objects.filter(route="iv").update(stop_spo2_below_pct=88)
    assert standing().startswith("UNVERIFIED: changed since Dr. Director accepted it on ")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["clinician", "nurse"])
def test_only_the_medical_director_accepts(persona, request):
    with pytest.raises(PermissionDeniedError):
        services.accept_clinic_policy(
            actor=request.getfixturevalue(persona), key="monitoring-stop-levels"
        )
    assert not ClinicPolicyAcceptance.objects.exists()
    assert (
        AuditEvent.objects.get(event_type=AuditEventType.CLINIC_POLICY_ACCEPTED).outcome
        == AuditOutcome.DENIED
    )


@pytest.mark.django_db
def test_an_unknown_key_is_not_found(medical_director):
    with pytest.raises(NotFoundError):
        services.accept_clinic_policy(actor=medical_director, key="nothing")
    assert (
        client_for(medical_director)
        .post("/configuration/clinic-policy/nothing/accept/")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_the_page_lists_the_values_by_area_and_signs_one_off(
    medical_director, django_assert_max_num_queries
):
    client = client_for(medical_director)
    with django_assert_max_num_queries(30 + (connection.vendor == "postgresql")):
        page = client.get(PAGE)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Monitoring limits" in text and "Treatment protocols" in text
    assert text.count("Reviewed and accepted for this clinic") == len(REGISTRY)

    response = client.post(
        reverse("configuration:accept", args=["review-intervals"]),
        {"review-intervals-note": "Agreed at the clinical governance meeting"},
    )
    assert response.status_code == 302
    text = client.get(PAGE).content.decode()
    assert "Clinic policy, accepted by Dr. Director on " in text
    assert "Agreed at the clinical governance meeting" in text


@pytest.mark.django_db
def test_a_note_too_long_is_refused_beside_it(medical_director):
    response = client_for(medical_director).post(
        reverse("configuration:accept", args=["review-intervals"]),
        {"review-intervals-note": "x" * 5000},
    )
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert not ClinicPolicyAcceptance.objects.exists()


@pytest.mark.django_db
def test_a_clinician_reads_the_page_without_the_sign_off(clinician, front_desk):
    page = client_for(clinician).get(PAGE)
    assert page.status_code == 200
    assert "Reviewed and accepted for this clinic" not in page.content.decode()
    assert (
        client_for(clinician)
        .post(reverse("configuration:accept", args=["review-intervals"]))
        .status_code
        == 403
    )
    assert client_for(front_desk).get(PAGE).status_code == 403


@pytest.mark.django_db
def test_the_limits_page_shows_each_values_standing(medical_director):
    url = reverse("configuration:row", kwargs={"kind": "monitoring", "key": "iv"})
    client = client_for(medical_director)
    assert ">UNVERIFIED</a>" in client.get(url).content.decode()

    services.accept_clinic_policy(actor=medical_director, key="monitoring-stop-levels")
    text = client.get(url).content.decode()
    assert "Clinic policy, accepted by Dr. Director on " in text
    assert ">UNVERIFIED</a>" in text  # the other limits are still to be accepted
