"""The audit log as CSV for a date range: every event the filter selects, streamed, with the
patient's MRN and the chain fields an inspector checks; the export itself audited; bad ranges
refused with a message."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.audit.selectors import EVENT_GROUPS
from clinic.audit.services import record_audit_event
from conftest import client_for

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_director_exports_a_date_range_as_csv(medical_director, clinician, patient_alice):
    record_audit_event(
        actor=clinician,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        target=patient_alice,
        about=patient_alice,
        details={"section": '=HYPERLINK("x")'},
    )
    today = timezone.localdate()
    client = client_for(medical_director)
    url = f"/audit/export.csv?date_from={today - timedelta(days=1)}&date_to={today}"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    looked = [r for r in rows if r["Event code"] == str(AuditEventType.PATIENT_CHART_VIEWED.value)]
    assert looked and looked[0]["Patient MRN"] == patient_alice.mrn
    assert looked[0]["Who"] == clinician.email
    # A formula in the details is text to a spreadsheet.
    assert looked[0]["Details (JSON)"].startswith("{")
    positions = [int(r["Chain position"]) for r in rows]
    assert positions == sorted(positions) and all(len(r["Chain SHA-256"]) == 64 for r in rows)
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.AUDIT_LOG_EXPORTED, actor=medical_director
    ).exists()
    # Filtered by patient (MRN) too.
    by_patient = _csv(client.get(url + f"&mrn={patient_alice.mrn}"))
    assert by_patient and {r["Patient MRN"] for r in by_patient} == {patient_alice.mrn}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Choose the dates to export"),
        ("date_from=2026-01-01", "Choose the dates to export"),
        ("date_from=2024-01-01&date_to=2026-01-01", "at most 366 days"),
        ("date_from=2026-02-30&date_to=2026-03-01", "From"),
        ("date_from=2026-03-02&date_to=2026-03-01", "The end date is before the start date."),
        ("date_from=" + "9" * 400 + "&date_to=2026-03-01", "From"),
    ],
)
def test_a_bad_range_is_refused_with_a_message(medical_director, query, message):
    response = client_for(medical_director).get(f"/audit/export.csv?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_only_the_director_exports(clinician):
    assert (
        client_for(clinician)
        .get("/audit/export.csv?date_from=2026-01-01&date_to=2026-01-02")
        .status_code
        == 403
    )


def test_every_event_type_falls_in_an_area_of_the_filter():
    for code in AuditEventType.values:
        assert any(low <= code <= high for _label, low, high in EVENT_GROUPS.values()), code
