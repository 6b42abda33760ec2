"""The front desk's worklist of patients' change requests: cancel as asked, move with suggested
times, or decline with a note the patient reads in the portal; each closes the request, audited."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.scheduling import selectors, services
from clinic.scheduling.choices import AppointmentStatus, CancelReason, PatientRequestKind
from clinic.scheduling.models import Appointment
from clinic.scheduling.tests.factories import infusion, make_chair, working_week
from clinic.scheduling.tests.test_day_grid import next_weekday
from conftest import client_for

pytestmark = pytest.mark.django_db


def booked(front_desk, nurse, patient, chair, hour=9):
    working_week(nurse, patient.location)
    return services.book_appointment(
        actor=front_desk,
        patient=patient,
        appointment_type=infusion(),
        starts_at=services.local_start(
            next_weekday(patient.location), time(hour), patient.location
        ),
        room=chair,
        staff=nurse,
    )


@pytest.fixture
def chair(location):
    return make_chair(location)


@pytest.fixture
def asked_to_cancel(front_desk, nurse, patient_alice, chair):
    appointment = booked(front_desk, nurse, patient_alice, chair)
    return services.request_change(
        patient_user=patient_alice.user,
        appointment=appointment,
        kind=PatientRequestKind.CANCEL,
        note="I have the flu",
    )


@pytest.fixture
def asked_to_move(front_desk, nurse, patient_bob, chair):
    appointment = booked(front_desk, nurse, patient_bob, chair, hour=13)
    return services.request_change(
        patient_user=patient_bob.user,
        appointment=appointment,
        kind=PatientRequestKind.RESCHEDULE,
        note="Mornings suit me",
    )


def test_the_worklist_lists_open_requests_oldest_first(front_desk, asked_to_cancel, asked_to_move):
    response = client_for(front_desk).get("/change-requests/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Alice") < page.index("Bob")
    assert "I have the flu" in page and "Cancel as asked" in page and "Move: see free times" in page
    assert "Change requests (2)" in page
    assert AuditEvent.objects.filter(event_type=AuditEventType.CHANGE_REQUESTS_VIEWED).exists()


def test_cancel_as_asked_cancels_closes_the_request_and_audits_it(front_desk, asked_to_cancel):
    response = client_for(front_desk).post(
        "/change-requests/", {"action": "cancel", "appointment": str(asked_to_cancel.public_id)}
    )
    assert response.status_code == 302
    asked_to_cancel.refresh_from_db()
    assert asked_to_cancel.status == AppointmentStatus.CANCELLED
    assert asked_to_cancel.cancel_reason == CancelReason.PATIENT_REQUEST
    assert asked_to_cancel.patient_request == "" and asked_to_cancel.patient_request_at is None
    entry = AuditEvent.objects.filter(event_type=AuditEventType.APPOINTMENT_CANCELLED).latest("id")
    assert entry.actor == front_desk and entry.details["patient_request_closed"] == "cancel"
    assert not selectors.open_change_requests(front_desk).exists()


def test_cancel_as_asked_is_refused_once_the_request_is_answered(front_desk, asked_to_cancel):
    services.decline_change_request(
        actor=front_desk, appointment=asked_to_cancel, reply="Please call us."
    )
    with pytest.raises(InvalidTransitionError, match="already been answered"):
        services.cancel_as_requested(actor=front_desk, appointment=asked_to_cancel)
    asked_to_cancel.refresh_from_db()
    assert asked_to_cancel.status == AppointmentStatus.BOOKED


def test_a_move_request_shows_free_times_that_move_it_and_closes_the_request(
    front_desk, asked_to_move
):
    client = client_for(front_desk)
    page = client.get(f"/appointments/{asked_to_move.public_id}/").content.decode()
    assert 'id="suggested-times"' in page and "Move to " in page
    suggested = selectors.suggested_move_times(asked_to_move)
    assert suggested
    services.move_appointment(actor=front_desk, appointment=asked_to_move, starts_at=suggested[0])
    asked_to_move.refresh_from_db()
    assert asked_to_move.starts_at == suggested[0] and asked_to_move.patient_request == ""
    entry = AuditEvent.objects.filter(event_type=AuditEventType.APPOINTMENT_CHANGED).latest("id")
    assert entry.details["patient_request_closed"] == "reschedule"


def test_decline_keeps_the_appointment_and_tells_the_patient(
    front_desk, asked_to_cancel, patient_alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(front_desk).post(
            "/change-requests/",
            {
                "action": "decline",
                "appointment": str(asked_to_cancel.public_id),
                "reply": "Cancelling this late forfeits the chair; please call us.",
            },
        )
    assert response.status_code == 302
    asked_to_cancel.refresh_from_db()
    assert asked_to_cancel.status == AppointmentStatus.BOOKED
    assert asked_to_cancel.patient_request == ""
    assert asked_to_cancel.patient_request_reply.startswith("Cancelling this late")
    entry = AuditEvent.objects.get(event_type=AuditEventType.CHANGE_REQUEST_DECLINED)
    assert entry.actor == front_desk and entry.details == {"patient_request": "cancel"}
    if patient_alice.email:
        assert "answered your appointment request" in mail.outbox[-1].subject
        assert "forfeits" not in mail.outbox[-1].body
    portal = client_for(patient_alice.user).get("/portal/appointments/").content.decode()
    assert "The clinic answered your request" in portal and "forfeits the chair" in portal


def test_decline_needs_a_note(front_desk, asked_to_cancel):
    with pytest.raises(ClinicError, match="Write a note"):
        services.decline_change_request(actor=front_desk, appointment=asked_to_cancel, reply=" ")
    response = client_for(front_desk).post(
        "/change-requests/",
        {"action": "decline", "appointment": str(asked_to_cancel.public_id), "reply": ""},
        follow=True,
    )
    assert (
        response.status_code == 200 and "Write a note to the patient" in response.content.decode()
    )
    asked_to_cancel.refresh_from_db()
    assert asked_to_cancel.patient_request == PatientRequestKind.CANCEL


def test_the_wrong_role_and_another_location_are_refused(
    asked_to_cancel, patient_alice, other_location_clinician, other_location
):
    with pytest.raises(PermissionDeniedError):
        services.decline_change_request(
            actor=patient_alice.user, appointment=asked_to_cancel, reply="no"
        )
    assert client_for(patient_alice.user).get("/change-requests/").status_code in {302, 403}
    elsewhere = client_for(other_location_clinician)
    assert "Alice" not in elsewhere.get("/change-requests/").content.decode()
    response = elsewhere.post(
        "/change-requests/", {"action": "cancel", "appointment": str(asked_to_cancel.public_id)}
    )
    assert response.status_code == 404
    asked_to_cancel.refresh_from_db()
    assert asked_to_cancel.status == AppointmentStatus.BOOKED


def test_bad_input_never_answers_500(front_desk, asked_to_cancel):
    client = client_for(front_desk)
    for data in (
        {},
        {"action": "cancel", "appointment": "not-a-uuid"},
        {"action": "decline", "appointment": str(asked_to_cancel.public_id), "reply": "x" * 5000},
        {"action": "cancel", "appointment": "00000000-0000-0000-0000-000000000000"},
    ):
        assert client.post("/change-requests/", data).status_code in {302, 404}
    for page in ("abc", "-1", "99999999", "2"):
        assert client.get("/change-requests/", {"page": page}).status_code == 200


@pytest.mark.parametrize("count", [2, 60])
def test_the_worklist_runs_a_fixed_number_of_queries(
    count, location, front_desk, nurse, patient_alice, chair, django_assert_max_num_queries
):
    """Volume only: the rows are written in bulk, as the calendar's query-count test does."""
    start = timezone.now() + timedelta(days=1)
    Appointment.objects.bulk_create(
        Appointment(
            patient=patient_alice,
            location=location,
            appointment_type=infusion(),
            room=chair,
            staff=nurse,
            starts_at=start + timedelta(hours=3 * n),
            ends_at=start + timedelta(hours=3 * n + 2),
            booked_by=front_desk,
            patient_request=PatientRequestKind.RESCHEDULE,
            patient_request_at=timezone.now() - timedelta(minutes=n),
        )
        for n in range(count)
    )
    client = client_for(front_desk)
    client.get("/patients/")
    with django_assert_max_num_queries(12):
        response = client.get("/change-requests/")
    assert response.status_code == 200
    assert response.content.decode().count("Move: see free times") == min(count, 25)


def test_a_new_request_replaces_the_clinic_s_earlier_answer(
    front_desk, asked_to_cancel, patient_alice
):
    services.decline_change_request(actor=front_desk, appointment=asked_to_cancel, reply="Call us.")
    again = services.request_change(
        patient_user=patient_alice.user,
        appointment=asked_to_cancel,
        kind=PatientRequestKind.RESCHEDULE,
    )
    assert again.patient_request == PatientRequestKind.RESCHEDULE
    assert again.patient_request_reply == "" and again.patient_request_replied_at is None
