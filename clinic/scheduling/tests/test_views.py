from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.evaluation.tests.factories import complete_evaluation
from clinic.scheduling import services
from clinic.scheduling.models import Appointment
from clinic.scheduling.tests.factories import at, infusion, make_chair
from conftest import client_for


@pytest.fixture
def chair(location):
    return make_chair(location)


def test_booking_a_taken_chair_shows_why_and_the_nearest_free_times(
    front_desk, patient_alice, patient_bob, chair, nurse, location
):
    services.book_appointment(
        actor=front_desk,
        patient=patient_bob,
        appointment_type=infusion(),
        starts_at=at(location, 2027, 1, 11, 9),
        room=chair,
        staff=nurse,
    )
    data = {
        "appointment_type": infusion().pk,
        "day": "2027-01-11",
        "at": "09:30",
        "room": chair.pk,
        "staff": nurse.pk,
    }
    response = client_for(front_desk).post(
        f"/patients/{patient_alice.public_id}/appointments/book/", data
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Chair 1 is booked" in page and "The nearest free times" in page
    assert 'value="2027-01-11"' in page and 'value="09:30"' in page
    data["at"] = "11:00"
    assert (
        client_for(front_desk)
        .post(f"/patients/{patient_alice.public_id}/appointments/book/", data)
        .status_code
        == 302
    )


def test_the_patient_asks_to_move_an_appointment_in_the_portal(
    front_desk,
    patient_alice,
    chair,
    nurse,
    location,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    appointment = services.book_appointment(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=infusion(),
        starts_at=at(location, 2027, 1, 11, 9),
        room=chair,
        staff=nurse,
    )
    client = client_for(patient_alice.user)
    page = client.get("/portal/appointments/").content.decode()
    assert "IV ketamine infusion" in page and "Mon, Jan 11, 2027" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/portal/appointments/",
            {
                "appointment": appointment.public_id,
                "kind": "reschedule",
                "note": "Afternoons please",
            },
        )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.patient_request == "reschedule" and appointment.status == "booked"
    assert len(mailoutbox) == 1 and "Afternoons" not in mailoutbox[0].body


def test_another_patient_cannot_request_changes(
    front_desk, patient_alice, patient_bob, chair, nurse, location
):
    appointment = services.book_appointment(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=infusion(),
        starts_at=at(location, 2027, 1, 11, 9),
        room=chair,
        staff=nurse,
    )
    response = client_for(patient_bob.user).post(
        "/portal/appointments/", {"appointment": appointment.public_id, "kind": "cancel"}
    )
    assert response.status_code == 404


def _bulk_appointments(location, patient, chair, nurse, count):
    """Volume only: the query-count test needs many rows fast."""
    start = timezone.now() + timedelta(days=1)
    Appointment.objects.bulk_create(
        Appointment(
            patient=patient,
            location=location,
            appointment_type=infusion(),
            room=chair,
            staff=nurse,
            starts_at=start + timedelta(hours=3 * n),
            ends_at=start + timedelta(hours=3 * n + 2),
            booked_by=nurse,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_calendar_runs_a_fixed_number_of_queries(
    count, front_desk, patient_alice, chair, nurse, location, django_assert_max_num_queries
):
    _bulk_appointments(location, patient_alice, chair, nurse, count)
    client = client_for(front_desk)
    client.get("/patients/")
    day = (timezone.localdate(timezone.now(), location.zone) + timedelta(days=1)).isoformat()
    with django_assert_max_num_queries(12):
        assert client.get("/calendar/", {"day": day}).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(
            "/calendar/", {"day": day, "view": "week", "room": str(chair.public_id)}
        )
    assert response.status_code == 200 and response.content.decode().count("calendar-item") >= 10


def test_the_maintenance_sessions_of_a_plan_are_booked_like_the_induction(
    front_desk, clinician, patient_alice, nurse, location
):
    from datetime import timedelta as days
    from decimal import Decimal

    from clinic.evaluation import services as evaluation_services
    from clinic.treatment import services as treatment
    from clinic.treatment.models import ProtocolTemplate
    from conftest import PASSWORD

    evaluation = complete_evaluation(clinician, patient_alice)
    evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="ok",
        password=PASSWORD,
    )
    version = treatment.sign_plan_version(
        actor=clinician,
        patient=patient_alice,
        password=PASSWORD,
        draft=treatment.PlanDraft(
            protocol=ProtocolTemplate.objects.get(
                name="IV ketamine — treatment-resistant depression"
            ),
            indications=["trd"],
            dose=Decimal("0.5"),
            weight_basis="actual",
            start_date=timezone.localdate() + days(7),
            target_outcomes="Response",
            induction_sessions=6,
            induction_sessions_per_week=3,
            maintenance_interval_days=28,
            infusion_minutes=40,
            change_reason="initial",
        ),
    )
    chair = make_chair(location)
    client = client_for(front_desk)
    url = f"/patients/{patient_alice.public_id}/appointments/series/?phase=maintenance"
    form = {"appointment_type": infusion().pk, "at": "10:00", "room": chair.pk, "staff": nurse.pk}
    page = client.post(url, form | {"action": "check"}).content.decode()
    assert "Book the maintenance sessions" in page
    assert page.count('<tr id="series-slot-') == 3 and page.count("Free</span>") == 3
    maintenance = version.proposed_dates[6:]
    starts = [
        services.local_start(
            __import__("datetime").date.fromisoformat(d), __import__("datetime").time(10), location
        ).isoformat()
        for d in maintenance
    ]
    response = client.post(
        url, form | {"action": "book"} | {f"session-{n}": s for n, s in enumerate(starts, start=1)}
    )
    assert response.status_code == 302
    assert Appointment.objects.filter(patient=patient_alice, plan_version=version).count() == 3
