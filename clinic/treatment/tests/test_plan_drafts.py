"""A drafted next plan version: opened by a service with the acting prescriber, shown on the plan
page with its values, signed there like any version (or set aside); never signed for anyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, NotFoundError, PermissionDeniedError
from clinic.sessions.tests.factories import plan_for
from clinic.treatment import services
from clinic.treatment.models import TreatmentPlanDraft, TreatmentPlanVersion
from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def draft_for(clinician, patient, **changes):
    return services.open_plan_draft(
        actor=clinician,
        patient=patient,
        change_reason="maintenance",
        changes={"maintenance_interval_days": 21, "induction_sessions": 1, **changes},
        origin="Follow-up review of Dec 1, 2026: Move from induction to maintenance",
    )


def test_a_draft_starts_from_the_current_version_with_the_changes(clinician, patient_alice):
    version = plan_for(clinician, patient_alice)
    draft = draft_for(clinician, patient_alice)
    assert draft.based_on == version and draft.status == "open"
    assert draft.values["maintenance_interval_days"] == 21
    assert draft.values["dose"] == str(version.dose.normalize())
    assert draft.values["change_reason"] == "maintenance"
    assert TreatmentPlanVersion.objects.count() == 1
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.PLAN_DRAFT_OPENED, target_id=str(draft.pk)
    ).exists()


def test_a_draft_is_refused_without_a_plan_or_with_unknown_fields(
    clinician, patient_alice, patient_bob
):
    with pytest.raises(ClinicError):
        draft_for(clinician, patient_bob)
    plan_for(clinician, patient_alice)
    with pytest.raises(ClinicError):
        draft_for(clinician, patient_alice, protocol=1)
    with pytest.raises(ClinicError):
        services.open_plan_draft(
            actor=clinician, patient=patient_alice, change_reason="initial", changes={}, origin="x"
        )


def test_only_prescribers_at_the_patients_location_draft(
    clinician, nurse, other_location_clinician, patient_alice
):
    plan_for(clinician, patient_alice)
    with pytest.raises(PermissionDeniedError):
        draft_for(nurse, patient_alice)
    with pytest.raises(NotFoundError):
        draft_for(other_location_clinician, patient_alice)


def test_the_plan_page_opens_the_draft_and_signing_it_marks_it_signed(clinician, patient_alice):
    version = plan_for(clinician, patient_alice)
    draft = draft_for(clinician, patient_alice)
    client = client_for(clinician)
    chart = client.get(f"/patients/{patient_alice.public_id}/?section=plan").content.decode()
    assert 'id="plan-draft-waiting"' in chart and f"?draft={draft.public_id}" in chart
    url = f"/patients/{patient_alice.public_id}/plan/"
    page = client.get(url, {"draft": str(draft.public_id)})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="plan-draft"' in html
    assert 'name="maintenance_interval_days" value="21"' in html
    start = (timezone.localdate() + timedelta(days=21)).isoformat()
    posted = {
        "protocol": version.protocol_id,
        "indications": version.indications,
        "dose": str(version.dose.normalize()),
        "weight_basis": "actual",
        "infusion_minutes": str(version.infusion_minutes),
        "induction_sessions": "1",
        "induction_sessions_per_week": "1",
        "maintenance_interval_days": "21",
        "start_date": start,
        "target_outcomes": version.target_outcomes,
        "change_reason": "maintenance",
        "draft": str(draft.public_id),
        "action": "sign",
        "password": PASSWORD,
    }
    assert client.post(url, posted).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "signed" and draft.signed_version.number == 2


def test_another_patients_or_a_bad_draft_id_is_ignored(clinician, patient_alice, patient_bob):
    plan_for(clinician, patient_alice)
    draft = draft_for(clinician, patient_alice)
    url = f"/patients/{patient_bob.public_id}/plan/"
    for value in (str(draft.public_id), "not-a-uuid", "'; drop table"):
        page = client_for(clinician).get(url, {"draft": value})
        assert page.status_code == 200 and 'id="plan-draft"' not in page.content.decode()


def test_a_draft_can_be_set_aside(clinician, patient_alice):
    plan_for(clinician, patient_alice)
    draft = draft_for(clinician, patient_alice)
    response = client_for(clinician).post(
        f"/patients/{patient_alice.public_id}/plan/",
        {"draft": str(draft.public_id), "action": "set_aside"},
    )
    assert response.status_code == 302
    assert TreatmentPlanDraft.objects.get(pk=draft.pk).status == "set_aside"
