"""The allergy banner: on the chart header, the chair-side session page and the printed
session summary, for clinical roles."""

from clinic.evaluation import services
from clinic.sessions.tests.factories import started_session
from conftest import client_for

BANNER = "Allergies: Latex (anaphylaxis, severe); Penicillin (hives, moderate)"


def _allergic(clinician, patient):
    evaluation = services.start_evaluation(actor=clinician, patient=patient)
    for substance, reaction, severity in (
        ("Penicillin", "hives", "moderate"),
        ("Latex", "anaphylaxis", "severe"),
    ):
        services.add_allergy(
            actor=clinician,
            evaluation=evaluation,
            substance=substance,
            reaction=reaction,
            severity=severity,
        )
    return evaluation


def test_the_chart_header_shows_allergies_to_clinical_roles_only(
    clinician, nurse, front_desk, patient_alice
):
    _allergic(clinician, patient_alice)
    url = f"/patients/{patient_alice.public_id}/"
    for viewer in (clinician, nurse):
        assert BANNER in client_for(viewer).get(url).content.decode()
    assert "Allergies:" not in client_for(front_desk).get(url).content.decode()


def test_no_known_allergies_is_said_and_nothing_said_when_unknown(clinician, patient_alice):
    url = f"/patients/{patient_alice.public_id}/"
    evaluation = services.start_evaluation(actor=clinician, patient=patient_alice)
    page = client_for(clinician).get(url).content.decode()
    assert "No known allergies" not in page and "Allergies:" not in page
    services.update_evaluation(
        actor=clinician, evaluation=evaluation, changes={"no_known_allergies": True}
    )
    assert "No known allergies" in client_for(clinician).get(url).content.decode()


def test_the_session_page_and_its_printed_summary_show_allergies(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    _allergic(clinician, patient_alice)
    for path in (f"/sessions/{session.public_id}/", f"/sessions/{session.public_id}/summary/"):
        response = client_for(nurse).get(path)
        assert response.status_code == 200 and BANNER in response.content.decode(), path
