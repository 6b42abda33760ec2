from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.configuration.choices import ChangeStatus, TargetKind
from clinic.configuration.models import ConfigurationChange
from clinic.configuration.targets import TARGETS
from clinic.configuration.tests.factories import draft_change
from clinic.monitoring.models import MonitoringProtocol
from conftest import client_for

pytestmark = pytest.mark.django_db

HOME = reverse("configuration:home")
IV_LIMITS = reverse("configuration:row", kwargs={"kind": "monitoring", "key": "iv"})
IV_DRAFT = reverse("configuration:new_draft", kwargs={"kind": "monitoring", "key": "iv"})


def form_data(kind: TargetKind, key: str, **changes) -> dict:
    target = TARGETS[kind]
    values = target.values_of(target.row_for_key(key))
    data = {}
    for config_field in target.fields:
        value = changes.get(config_field.name, values[config_field.name])
        if config_field.number_list:
            value = ", ".join(str(item) for item in value)
        if isinstance(value, bool):
            if value:
                data[config_field.name] = "on"
            continue
        data[config_field.name] = "" if value is None else value
    data["reason"] = changes.get("reason", "New figures")
    return data


def test_the_home_lists_every_configured_thing_with_its_values(
    medical_director, django_assert_max_num_queries
):
    draft_change(actor=medical_director, kind=TargetKind.MONITORING_PROTOCOL, key="iv", spo2_min=93)
    client = client_for(medical_director)

    with django_assert_max_num_queries(20 + (connection.vendor == "postgresql")):
        response = client.get(HOME)

    assert response.status_code == 200
    text = response.content.decode()
    for target in TARGETS.values():
        assert target.label in text
    assert "IV ketamine — treatment-resistant depression" in text
    assert "Draft by Dr. Director" in text
    assert 'href="/configuration/"' in text  # the menu links here


def test_a_clinician_reads_the_configuration_but_cannot_draft(clinician):
    client = client_for(clinician)

    assert client.get(HOME).status_code == 200
    page = client.get(IV_LIMITS)
    assert page.status_code == 200
    assert "Start a draft" not in page.content.decode()
    assert client.get(IV_DRAFT).status_code == 403
    assert client.post(IV_DRAFT, form_data(TargetKind.MONITORING_PROTOCOL, "iv")).status_code == 403


@pytest.mark.parametrize("persona", ["nurse", "front_desk", "patient_alice", "patient_bob"])
def test_other_roles_may_not_open_the_configuration(personas, persona):
    response = client_for(personas[persona]).get(HOME)
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in():
    response = client_for(None).get(HOME)
    assert response.status_code == 302


def test_the_director_drafts_reviews_and_publishes_monitoring_limits(medical_director):
    client = client_for(medical_director)

    response = client.post(IV_DRAFT, form_data(TargetKind.MONITORING_PROTOCOL, "iv", spo2_min=93))
    change = ConfigurationChange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("configuration:change", args=[change.public_id])

    page = client.get(response["Location"]).content.decode()
    assert "Alert: SpO₂ below:</strong> 92 % → 93 %" in page
    assert "one medical director" in page

    review = reverse("configuration:review", args=[change.public_id])
    refused = client.post(review, {})
    assert refused.status_code == 400
    assert "I have checked these values against their sources" in refused.content.decode()
    client.post(review, {"attested": "on"})
    client.post(reverse("configuration:publish", args=[change.public_id]))

    change.refresh_from_db()
    assert change.status == ChangeStatus.PUBLISHED
    assert MonitoringProtocol.objects.get(route="iv").spo2_min == 93
    history = client.get(IV_LIMITS).content.decode()
    assert "Published by Dr. Director" in history
    assert AuditEvent.objects.filter(event_type=AuditEventType.CONFIGURATION_PUBLISHED).exists()


def test_a_value_outside_the_limits_is_shown_beside_its_field(medical_director):
    response = client_for(medical_director).post(
        IV_DRAFT, form_data(TargetKind.MONITORING_PROTOCOL, "iv", spo2_min=50)
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="id_spo2_min_error"' in text
    assert "greater than or equal to 80" in text
    assert not ConfigurationChange.objects.exists()


def test_the_tables_own_rules_are_shown_on_the_form(medical_director):
    protocol = MonitoringProtocol.objects.get(route="iv")
    response = client_for(medical_director).post(
        IV_DRAFT,
        form_data(TargetKind.MONITORING_PROTOCOL, "iv", heart_rate_min=protocol.heart_rate_max + 1),
    )
    assert response.status_code == 400
    assert not ConfigurationChange.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"spo2_min": "9" * 5000},
        {"spo2_min": "abc"},
        {"reading_schedule_minutes": "0, ten, 20"},
        {"reading_schedule_minutes": "1e999"},
        {"reading_schedule_minutes": ", ".join(["5"] * 200)},
        {"stop_consciousness": "asleep"},
        {"source": "x" * 100_000},
        {"reason": "y" * 10_000},
    ],
)
def test_no_input_makes_the_draft_form_fail(medical_director, changes):
    response = client_for(medical_director).post(
        IV_DRAFT, form_data(TargetKind.MONITORING_PROTOCOL, "iv", **changes)
    )
    assert response.status_code == 400


def test_a_protocol_draft_checks_decimals_and_lists(medical_director, iv_protocol):
    url = reverse("configuration:new_draft", kwargs={"kind": "protocol", "key": iv_protocol.pk})
    client = client_for(medical_director)

    bad = client.post(
        url, form_data(TargetKind.PROTOCOL_TEMPLATE, str(iv_protocol.pk), maximum_dose="1e999")
    )
    assert bad.status_code == 400
    good = client.post(
        url, form_data(TargetKind.PROTOCOL_TEMPLATE, str(iv_protocol.pk), maximum_dose="0.9")
    )
    assert good.status_code == 302
    change = ConfigurationChange.objects.get()
    assert change.proposed_values["maximum_dose"] == "0.900"


@pytest.mark.parametrize(
    "path",
    [
        "/configuration/protocol/99999999/",
        "/configuration/protocol/abc/",
        "/configuration/protocol/99999999999999999999/",
        "/configuration/nothing/clinic/",
        "/configuration/monitoring/nowhere/",
        "/configuration/scheduling/other/",
        "/configuration/protocol/99999999/draft/",
        "/configuration/changes/00000000-0000-0000-0000-000000000000/",
        "/configuration/changes/00000000-0000-0000-0000-000000000000/edit/",
    ],
)
def test_unknown_rows_and_changes_are_not_found(medical_director, path):
    assert client_for(medical_director).get(path).status_code == 404


def test_buttons_on_a_finished_change_are_refused_with_a_message(medical_director):
    change = draft_change(
        actor=medical_director, kind=TargetKind.MONITORING_PROTOCOL, key="iv", spo2_min=93
    )
    client = client_for(medical_director)
    client.post(reverse("configuration:discard", args=[change.public_id]))

    response = client.post(reverse("configuration:publish", args=[change.public_id]), follow=True)
    assert response.status_code == 200
    assert "discarded already" in response.content.decode()
    assert (
        client.get(reverse("configuration:edit", args=[change.public_id]), follow=True).status_code
        == 200
    )


def test_the_author_edits_the_draft(medical_director):
    change = draft_change(
        actor=medical_director, kind=TargetKind.MONITORING_PROTOCOL, key="iv", spo2_min=93
    )
    url = reverse("configuration:edit", args=[change.public_id])
    client = client_for(medical_director)

    assert client.get(url).status_code == 200
    response = client.post(url, form_data(TargetKind.MONITORING_PROTOCOL, "iv", spo2_min=94))
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.proposed_values["spo2_min"] == 94


@pytest.mark.parametrize("kind", [k for k in TargetKind if k != TargetKind.PROTOCOL_TEMPLATE])
def test_every_policy_form_opens(medical_director, kind):
    target = TARGETS[kind]
    key = target.key_of(target.rows()[0])
    client = client_for(medical_director)

    assert (
        client.get(reverse("configuration:row", kwargs={"kind": kind, "key": key})).status_code
        == 200
    )
    assert (
        client.get(
            reverse("configuration:new_draft", kwargs={"kind": kind, "key": key})
        ).status_code
        == 200
    )


def test_a_draft_overtaken_by_another_publication_says_so_and_is_refused(
    medical_director, second_director
):
    mine = draft_change(
        actor=medical_director, kind=TargetKind.MONITORING_PROTOCOL, key="iv", spo2_min=93
    )
    client = client_for(second_director)
    client.post(reverse("configuration:review", args=[mine.public_id]))
    theirs = draft_change(
        actor=second_director, kind=TargetKind.MONITORING_PROTOCOL, key="iv", spo2_min=94
    )
    mine_client = client_for(medical_director)
    mine_client.post(reverse("configuration:review", args=[theirs.public_id]))
    client.post(reverse("configuration:publish", args=[theirs.public_id]))

    page = mine_client.get(reverse("configuration:change", args=[mine.public_id])).content.decode()
    assert "can no longer be published" in page
    refused = mine_client.post(reverse("configuration:publish", args=[mine.public_id]), follow=True)
    assert "These limits were changed by Dr. Second on " in refused.content.decode()
    assert MonitoringProtocol.objects.get(route="iv").spo2_min == 94
