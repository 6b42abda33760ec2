"""The plan page shows what the nurse programs into the pump, and why a plan is outside the
protocol."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clinic.treatment.models import ProtocolTemplate, TreatmentPlanVersion
from clinic.treatment.tests.test_services import IV, suitable
from conftest import PASSWORD, client_for


def form(**changes):
    protocol = ProtocolTemplate.objects.get(name=IV)
    data = {
        "protocol": protocol.pk,
        "indications": ["trd"],
        "dose": "0.5",
        "weight_basis": "actual",
        "infusion_minutes": "40",
        "induction_sessions": "6",
        "induction_sessions_per_week": "3",
        "maintenance_interval_days": "28",
        "start_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "target_outcomes": "PHQ-9 response",
        "change_reason": "initial",
        "action": "preview",
    }
    data.update(changes)
    return data


def test_the_plan_preview_shows_the_pump_settings(clinician, patient_alice):
    suitable(clinician, patient_alice)
    url = f"/patients/{patient_alice.public_id}/plan/"
    page = client_for(clinician).post(url, form())
    html = page.content.decode()
    assert page.status_code == 200 and 'id="pump-settings"' in html
    # 70 kg, 35.0 mg: 0.7 mL of 50 mg/mL into 100 mL; 100.7 mL over 40 min = 151.1 mL/h.
    for shown in ("ketamine 50 mg/mL", "0.7 mL", "100 mL + 0.7 mL = 100.7 mL", "151.1 mL/h"):
        assert shown in html
    assert "52.5 mg/h" in html and "0.75 mg/kg/h" in html
    assert 'id="protocol-problems"' not in html


def test_the_plan_preview_says_why_it_is_outside_the_protocol_and_signing_needs_the_reason(
    clinician, patient_alice
):
    suitable(clinician, patient_alice)
    url = f"/patients/{patient_alice.public_id}/plan/"
    client = client_for(clinician)
    html = client.post(url, form(dose="0.75", infusion_minutes="1")).content.decode()
    assert 'id="protocol-problems"' in html and "45.00 mg/kg/h" in html
    refused = client.post(
        url, form(dose="0.75", infusion_minutes="1", action="sign", password=PASSWORD)
    )
    assert refused.status_code == 400 and "Document why to override" in refused.content.decode()
    assert not TreatmentPlanVersion.objects.exists()


def test_the_chart_plan_section_shows_the_pump_settings(clinician, patient_alice):
    suitable(clinician, patient_alice)
    url = f"/patients/{patient_alice.public_id}/plan/"
    client = client_for(clinician)
    signed = client.post(url, form(action="sign", password=PASSWORD))
    assert signed.status_code == 302
    chart = client.get(f"/patients/{patient_alice.public_id}/?section=plan").content.decode()
    assert 'id="pump-settings"' in chart and "151.1 mL/h" in chart


def test_the_plan_preview_names_the_questionnaires_before_each_session(clinician, patient_alice):
    patient_alice.primary_conditions = ["bipolar_depression"]
    patient_alice.save(update_fields=["primary_conditions"])
    suitable(clinician, patient_alice)
    page = client_for(clinician).post(
        f"/patients/{patient_alice.public_id}/plan/", form(indications=["bipolar_depression"])
    )
    assert "Questionnaires before each session: PHQ-9, C-SSRS screen, ASRM" in page.content.decode()
