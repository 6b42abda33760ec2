from __future__ import annotations

from decimal import Decimal

import pytest

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.configuration import services
from clinic.configuration.choices import ChangeStatus, TargetKind
from clinic.configuration.exceptions import ConfigurationInvalidError, StaleChangeError
from clinic.configuration.tests.factories import draft_change
from clinic.core.exceptions import InvalidTransitionError, NotFoundError, PermissionDeniedError
from clinic.monitoring.models import MonitoringProtocol
from clinic.patients.models import PatientPolicy
from clinic.sessions.tests.factories import plan_for

pytestmark = pytest.mark.django_db

PROTOCOL = TargetKind.PROTOCOL_TEMPLATE
MONITORING = TargetKind.MONITORING_PROTOCOL


def test_a_draft_changes_nothing_live_and_is_audited(medical_director, iv_protocol):
    change = draft_change(
        actor=medical_director, kind=PROTOCOL, key=str(iv_protocol.pk), maximum_dose="0.900"
    )

    assert change.status == ChangeStatus.DRAFT
    assert change.proposed_values["maximum_dose"] == "0.900"
    assert change.based_on_values["maximum_dose"] == str(iv_protocol.maximum_dose)
    iv_protocol.refresh_from_db()
    assert iv_protocol.maximum_dose != Decimal("0.900")
    event = AuditEvent.objects.get(event_type=AuditEventType.CONFIGURATION_DRAFT_SAVED)
    assert event.details["fields"] == ["maximum_dose"]


def test_a_second_director_reviews_and_publishing_applies_the_values(
    medical_director, second_director, iv_protocol
):
    change = draft_change(
        actor=medical_director, kind=PROTOCOL, key=str(iv_protocol.pk), maximum_dose="0.900"
    )
    services.review_change(actor=second_director, change=change)
    services.publish_change(actor=medical_director, change=change)

    iv_protocol.refresh_from_db()
    assert iv_protocol.maximum_dose == Decimal("0.900")
    change.refresh_from_db()
    assert change.status == ChangeStatus.PUBLISHED
    assert change.reviewed_by == second_director
    assert change.published_by == medical_director
    event = AuditEvent.objects.get(event_type=AuditEventType.CONFIGURATION_PUBLISHED)
    assert event.details["changes"]["maximum_dose"][1] == "0.900"


def test_the_author_may_not_review_their_own_draft_when_there_is_a_second_director(
    medical_director, second_director, iv_protocol
):
    change = draft_change(
        actor=medical_director, kind=PROTOCOL, key=str(iv_protocol.pk), maximum_dose="0.900"
    )

    with pytest.raises(InvalidTransitionError, match="second medical director"):
        services.review_change(actor=medical_director, change=change, attested=True)


def test_a_lone_director_reviews_their_own_draft_only_with_the_attestation(
    medical_director, iv_protocol
):
    change = draft_change(
        actor=medical_director, kind=PROTOCOL, key=str(iv_protocol.pk), maximum_dose="0.900"
    )

    with pytest.raises(ConfigurationInvalidError, match="I have checked these values"):
        services.review_change(actor=medical_director, change=change)
    reviewed = services.review_change(actor=medical_director, change=change, attested=True)

    assert reviewed.status == ChangeStatus.REVIEWED
    assert reviewed.self_review_attested


def test_a_draft_is_not_published_before_review(medical_director, iv_protocol):
    change = draft_change(
        actor=medical_director, kind=PROTOCOL, key=str(iv_protocol.pk), maximum_dose="0.900"
    )

    with pytest.raises(InvalidTransitionError, match="review this draft first"):
        services.publish_change(actor=medical_director, change=change)


def test_a_value_outside_the_tables_limits_is_refused_beside_its_field(
    medical_director, iv_protocol
):
    with pytest.raises(ConfigurationInvalidError) as refused:
        draft_change(
            actor=medical_director, kind=PROTOCOL, key=str(iv_protocol.pk), induction_sessions=99
        )
    assert refused.value.field == "induction_sessions"


def test_the_protocols_own_rules_apply_to_the_would_be_row(medical_director, iv_protocol):
    # Four sessions a week, more than the three doses allowed in 7 days (ProtocolTemplate.clean).
    with pytest.raises(ConfigurationInvalidError) as refused:
        draft_change(
            actor=medical_director,
            kind=PROTOCOL,
            key=str(iv_protocol.pk),
            induction_sessions_per_week=4,
            minimum_days_between_doses=1,
            maximum_doses_per_7_days=3,
        )
    assert refused.value.field == "maximum_doses_per_7_days"


def test_a_default_dose_outside_the_range_is_refused(medical_director, iv_protocol):
    with pytest.raises(ConfigurationInvalidError):
        draft_change(
            actor=medical_director, kind=PROTOCOL, key=str(iv_protocol.pk), default_dose="2.000"
        )


def test_monitoring_limits_keep_their_stop_above_the_pre_dose_limit(medical_director):
    protocol = MonitoringProtocol.objects.get(route="iv")
    with pytest.raises(ConfigurationInvalidError):
        draft_change(
            actor=medical_director,
            kind=MONITORING,
            key="iv",
            systolic_max=protocol.pre_dose_systolic_max,
        )


def test_publishing_a_draft_made_against_values_another_director_changed_since_is_refused(
    medical_director, second_director
):
    mine = draft_change(actor=medical_director, kind=MONITORING, key="iv", spo2_min=93)
    theirs = draft_change(actor=second_director, kind=MONITORING, key="iv", spo2_min=94)
    services.review_change(actor=second_director, change=mine)
    services.review_change(actor=medical_director, change=theirs)
    services.publish_change(actor=second_director, change=theirs)

    with pytest.raises(StaleChangeError) as refused:
        services.publish_change(actor=medical_director, change=mine)
    assert refused.value.message.startswith("These limits were changed by Dr. Second on ")
    assert refused.value.message.endswith("; start a new draft.")
    assert MonitoringProtocol.objects.get(route="iv").spo2_min == 94


def test_a_draft_made_before_the_limits_changed_elsewhere_is_not_reviewed(
    medical_director, second_director
):
    change = draft_change(actor=medical_director, kind=MONITORING, key="iv", spo2_min=93)
    MonitoringProtocol.objects.filter(route="iv").update(spo2_min=95)

    with pytest.raises(StaleChangeError, match="start a new draft"):
        services.review_change(actor=second_director, change=change)


def test_unchanged_values_are_not_a_draft(medical_director):
    with pytest.raises(ConfigurationInvalidError, match="already published"):
        draft_change(actor=medical_director, kind=MONITORING, key="iv")


def test_a_discarded_draft_stays_in_the_history(medical_director):
    change = draft_change(actor=medical_director, kind=MONITORING, key="iv", spo2_min=93)
    services.discard_change(actor=medical_director, change=change)

    change.refresh_from_db()
    assert change.status == ChangeStatus.DISCARDED
    assert AuditEvent.objects.filter(event_type=AuditEventType.CONFIGURATION_DISCARDED).exists()
    with pytest.raises(InvalidTransitionError):
        services.discard_change(actor=medical_director, change=change)


def test_only_the_author_edits_a_draft(medical_director, second_director):
    change = draft_change(actor=medical_director, kind=MONITORING, key="iv", spo2_min=93)
    values = {**change.proposed_values, "spo2_min": 94}

    with pytest.raises(InvalidTransitionError, match=r"Only Dr\. Director"):
        services.update_draft(actor=second_director, change=change, values=values)
    services.update_draft(actor=medical_director, change=change, values=values)
    change.refresh_from_db()
    assert change.proposed_values["spo2_min"] == 94


@pytest.mark.parametrize("persona", ["clinician", "nurse", "front_desk"])
def test_only_the_medical_director_drafts(persona, request):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDeniedError):
        draft_change(actor=actor, kind=MONITORING, key="iv", spo2_min=93)
    denied = AuditEvent.objects.get(event_type=AuditEventType.CONFIGURATION_DRAFT_SAVED)
    assert denied.outcome == AuditOutcome.DENIED


def test_a_policy_never_saved_is_created_when_first_published(medical_director):
    assert not PatientPolicy.objects.exists()
    change = draft_change(
        actor=medical_director,
        kind=TargetKind.PATIENT_POLICY,
        key="clinic",
        guardians_see_questionnaire_answers=True,
    )
    services.review_change(actor=medical_director, change=change, attested=True)
    services.publish_change(actor=medical_director, change=change)

    assert PatientPolicy.objects.get().guardians_see_questionnaire_answers is True


def test_an_unknown_row_is_not_found(medical_director):
    with pytest.raises(NotFoundError):
        services.save_draft(actor=medical_director, kind="protocol", key="999999", values={})
    with pytest.raises(NotFoundError):
        services.save_draft(actor=medical_director, kind="nothing", key="clinic", values={})


def test_a_published_protocol_change_leaves_signed_plans_values_as_signed(
    medical_director, clinician, patient_alice, iv_protocol
):
    version = plan_for(clinician, patient_alice)
    signed = (version.dose, version.infusion_minutes, version.induction_sessions)
    change = draft_change(
        actor=medical_director,
        kind=PROTOCOL,
        key=str(iv_protocol.pk),
        default_dose="0.600",
        infusion_minutes=45,
        induction_sessions=8,
    )
    services.review_change(actor=medical_director, change=change, attested=True)
    services.publish_change(actor=medical_director, change=change)

    version.refresh_from_db()
    assert (version.dose, version.infusion_minutes, version.induction_sessions) == signed
    iv_protocol.refresh_from_db()
    assert iv_protocol.default_dose == Decimal("0.600")
