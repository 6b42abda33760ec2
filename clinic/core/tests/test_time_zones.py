"""Times are stored in UTC and shown in the zone of the location the record belongs to."""

from datetime import UTC, datetime

from clinic.intake.models import ConsultationRequest
from clinic.intake.tests.factories import submit_test_request
from conftest import client_for


def test_a_request_is_shown_in_its_locations_zone_to_every_viewer(
    front_desk, other_location_clinician, location, other_location
):
    boston = submit_test_request(location=location, last_name="Boston")
    denver = submit_test_request(location=other_location, last_name="Denver")
    moment = datetime(2026, 7, 1, 16, 30, tzinfo=UTC)
    ConsultationRequest.objects.update(created_at=moment)
    other_location_clinician.locations.add(location)  # a Denver clinician who also covers Boston
    client = client_for(other_location_clinician)
    assert (
        "Jul 1, 2026, 12:30 PM EDT"
        in client.get(f"/consultations/{boston.public_id}/").content.decode()
    )
    assert (
        "Jul 1, 2026, 10:30 AM MDT"
        in client.get(f"/consultations/{denver.public_id}/").content.decode()
    )
    queue = client.get("/consultations/").content.decode()
    assert "Jul 1, 2026, 12:30 PM EDT" in queue and "Jul 1, 2026, 10:30 AM MDT" in queue
    assert ConsultationRequest.objects.get(pk=boston.pk).created_at == moment


def test_a_daylight_saving_change_moves_no_stored_time(front_desk, location):
    request = submit_test_request(location=location)
    ConsultationRequest.objects.filter(pk=request.pk).update(
        created_at=datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
    )
    page = client_for(front_desk).get(f"/consultations/{request.public_id}/").content.decode()
    assert "Jan 15, 2026, 12:00 PM EST" in page
