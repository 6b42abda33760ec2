import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_director_and_clinicians_read_the_page_and_others_are_refused(
    medical_director, clinician, nurse, front_desk
):
    page = client_for(medical_director).get("/outcomes/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Patients by stage" in text and "Consultation requests received" in text
    assert "No patients yet" in text and "no sessions yet" in text
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.OUTCOMES_VIEWED, actor=medical_director
    ).exists()
    assert client_for(clinician).get("/outcomes/").status_code == 200
    assert client_for(nurse).get("/outcomes/").status_code == 403
    assert client_for(front_desk).get("/outcomes/").status_code == 403
    assert client_for(None).get("/outcomes/").status_code == 302


@pytest.mark.parametrize(
    "query, message",
    [
        ("date_from=2026-13-45", "Enter a valid date."),
        ("date_from=2026-05-02&date_to=2026-05-01", "The end date must be on or after the start"),
        ("condition=nonsense", "Select a valid choice."),
        ("route=%00", "Remove any invisible control characters"),
        ("protocol=abc", "Select a valid choice."),
        ("location=999999", "Select a valid choice."),
        # The last day a date can hold: the day after it would overflow.
        ("date_from=0001-01-01&date_to=9999-12-31", "Choose a date within the next"),
        ("date_from=0001-01-01", "Choose a date within the last"),
    ],
)
def test_bad_filter_input_is_a_400_with_its_message_never_a_500(medical_director, query, message):
    client = client_for(medical_director)
    page = client.get(f"/outcomes/?{query}")
    assert page.status_code == 400
    assert message in page.content.decode()
    export = client.get(f"/outcomes/export/funnel.csv?{query}")
    assert export.status_code == 400
    assert message in export.content.decode()


def test_each_table_downloads_as_csv_and_the_export_is_audited(medical_director, nurse):
    client = client_for(medical_director)
    for table, first_cell in (("funnel", "Stage"), ("response", "Instrument"), ("rates", "Figure")):
        export = client.get(f"/outcomes/export/{table}.csv?condition=trd")
        assert export.status_code == 200
        assert export["Content-Type"].startswith("text/csv")
        assert export.content.decode().splitlines()[0].startswith(first_cell)
    events = AuditEvent.objects.filter(event_type=AuditEventType.OUTCOMES_EXPORTED)
    assert events.count() == 3
    assert events.first().details["condition"] == "trd"
    assert client.get("/outcomes/export/nothing.csv").status_code == 404
    assert client_for(nurse).get("/outcomes/export/funnel.csv").status_code == 403
