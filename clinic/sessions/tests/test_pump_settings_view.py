"""Chair-side, an IV session shows the pump settings for today's dose; a nasal session none."""

from __future__ import annotations

from clinic.sessions.tests import factories
from conftest import client_for


def test_the_session_page_shows_the_pump_settings_for_todays_dose(clinician, nurse, patient_alice):
    session = factories.ready_to_dose(clinician, nurse, patient_alice)
    html = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    # Today's weight 70.0 kg, 0.5 mg/kg = 35.0 mg: 0.7 mL of 50 mg/mL into 100 mL over 40 min.
    assert 'id="pump-settings"' in html
    assert "0.7 mL" in html and "151.1 mL/h" in html and "52.5 mg/h" in html


def test_a_nasal_session_shows_no_pump(clinician, nurse, patient_alice):
    session = factories.ready_to_dose(
        clinician, nurse, patient_alice, protocol_name=factories.ESKETAMINE
    )
    html = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert 'id="pump-settings"' not in html
