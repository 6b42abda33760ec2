"""The calendar's day as chairs × half hours, its week in one row, and the "book for which
patient?" step a free cell leads to."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling import selectors, services
from clinic.scheduling.models import Room
from clinic.scheduling.tests.factories import infusion, make_chair, working_week
from conftest import client_for

pytestmark = pytest.mark.django_db


def next_weekday(location) -> date:
    day = timezone.localdate(timezone.now(), location.zone) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def chairs(location):
    return make_chair(location, "Chair 1"), make_chair(location, "Chair 2")


def book_at(front_desk, patient, nurse, chair, day, hour, minute=0):
    return services.book_appointment(
        actor=front_desk,
        patient=patient,
        appointment_type=infusion(),
        starts_at=services.local_start(day, time(hour, minute), patient.location),
        room=chair,
        staff=nurse,
    )


def test_the_day_grid_spans_the_staff_hours_on_record(location, nurse, front_desk):
    day = next_weekday(location)
    assert selectors.grid_hours(location, day.replace()) == (time(0), time(23, 59))
    working_week(nurse, location, starts=time(8), ends=time(17, 30))
    assert selectors.grid_hours(location, day) == (time(8), time(17, 30))
    saturday = day + timedelta(days=(5 - day.weekday()))
    assert selectors.grid_hours(location, saturday) == (time(7), time(19))


def test_an_appointment_spans_its_rows_in_its_chair_and_free_cells_link_to_booking(
    location, nurse, front_desk, patient_alice, chairs
):
    working_week(nurse, location)
    day = next_weekday(location)
    book_at(front_desk, patient_alice, nurse, chairs[0], day, 9)
    response = client_for(front_desk).get("/calendar/", {"day": day.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="col">Chair 1</th>' in page and '<th scope="col">Chair 2</th>' in page
    assert '<th scope="row">8:00 AM</th>' in page and '<th scope="row">5:30 PM</th>' in page
    # A two-hour infusion spans four half-hour rows.
    assert 'rowspan="4" class="slot-taken"' in page and "Alice" in page
    assert f"room={chairs[1].public_id}&amp;day={day.isoformat()}&amp;at=09%3A00" in page
    assert f"room={chairs[0].public_id}&amp;day={day.isoformat()}&amp;at=09%3A00" not in page
    assert f"room={chairs[0].public_id}&amp;day={day.isoformat()}&amp;at=11%3A00" in page


def test_a_cancelled_appointment_is_muted_and_its_time_is_free_again(
    location, nurse, front_desk, patient_alice, chairs
):
    working_week(nurse, location)
    day = next_weekday(location)
    appointment = book_at(front_desk, patient_alice, nurse, chairs[0], day, 9)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    page = client_for(front_desk).get("/calendar/", {"day": day.isoformat()}).content.decode()
    assert "calendar-item status-cancelled" in page and "Cancelled" in page
    assert f"room={chairs[0].public_id}&amp;day={day.isoformat()}&amp;at=09%3A00" in page
    assert "rowspan" not in page


def test_an_empty_day_is_free_in_every_cell(location, chairs):
    day = next_weekday(location)
    rows = selectors.day_grid(
        location=location,
        day=day,
        rooms=[chairs[0]],
        appointments=[],
    )["grid_rows"]
    assert all(row.cells[0][0].free for row in rows)


def test_the_week_shows_seven_columns_in_one_scrolling_row(location, front_desk, chairs):
    page = (
        client_for(front_desk)
        .get("/calendar/", {"view": "week", "day": next_weekday(location).isoformat()})
        .content.decode()
    )
    assert 'class="calendar-week-scroll"' in page and page.count("calendar-day panel") == 7
    assert "scheduling/scheduling.css" in page


def test_book_for_which_patient_lists_only_patients_of_the_rooms_location(
    location, other_location, clinician, other_location_clinician, front_desk, patient_alice, chairs
):
    register_test_patient(
        actor=other_location_clinician,
        location=other_location,
        first_name="Alice",
        last_name="Elsewhere",
    )
    day = next_weekday(location)
    response = client_for(front_desk).get(
        "/calendar/book/",
        {"room": str(chairs[1].public_id), "day": day.isoformat(), "at": "09:30", "q": "Alice"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alice Moreno" in page and "Elsewhere" not in page
    assert (
        f"/patients/{patient_alice.public_id}/appointments/book/?room={chairs[1].pk}"
        f"&amp;day={day.isoformat()}&amp;at=09%3A30" in page
    )
    booking = client_for(front_desk).get(
        f"/patients/{patient_alice.public_id}/appointments/book/",
        {"room": chairs[1].pk, "day": day.isoformat(), "at": "09:30"},
    )
    form = booking.content.decode()
    assert f'<option value="{chairs[1].pk}" selected>' in form and 'value="09:30"' in form


def test_book_for_which_patient_never_answers_500(location, other_location, front_desk, chairs):
    elsewhere = Room.objects.create(location=other_location, name="Far chair")
    client = client_for(front_desk)
    day = next_weekday(location).isoformat()
    cases = [
        ({"room": "not-a-uuid", "day": day, "at": "09:00"}, 400),
        ({"room": str(chairs[0].public_id), "day": "2026-13-45", "at": "09:00"}, 400),
        ({"room": str(chairs[0].public_id), "day": "9999-01-01", "at": "09:00"}, 400),
        ({"room": str(chairs[0].public_id), "day": day, "at": "25:99"}, 400),
        ({"room": str(chairs[0].public_id), "day": day, "at": "09:00", "q": "x" * 5000}, 400),
        ({"room": str(elsewhere.public_id), "day": day, "at": "09:00"}, 404),
        ({}, 400),
    ]
    for params, status in cases:
        assert client.get("/calendar/book/", params).status_code == status, params


def test_book_for_which_patient_is_refused_to_the_wrong_role(patient_alice, chairs, location):
    response = client_for(patient_alice.user).get(
        "/calendar/book/",
        {"room": str(chairs[0].public_id), "day": next_weekday(location).isoformat(), "at": "9:00"},
    )
    assert response.status_code in {302, 403}


@pytest.mark.parametrize("count", [2, 20])
def test_the_day_grid_runs_a_fixed_number_of_queries(
    count, location, nurse, clinician, front_desk, chairs, django_assert_max_num_queries
):
    working_week(nurse, location, starts=time(0), ends=time(23, 59))
    day = next_weekday(location)
    patients = [
        register_test_patient(
            actor=clinician, location=location, first_name=f"P{n}", last_name="Grid"
        )
        for n in range(count)
    ]
    for n, patient in enumerate(patients):
        book_at(front_desk, patient, nurse, chairs[n % 2], day, n // 2 * 2)
    client = client_for(front_desk)
    client.get("/patients/")
    with django_assert_max_num_queries(13):
        assert client.get("/calendar/", {"day": day.isoformat()}).status_code == 200


def test_with_a_member_of_staff_chosen_a_chair_another_nurse_holds_is_not_free(
    location, nurse, front_desk, patient_alice, chairs
):
    other = UserFactory(role=Role.NURSE, full_name="Nurse Other")
    other.locations.set([location])
    working_week(nurse, location)
    working_week(other, location)
    day = next_weekday(location)
    book_at(front_desk, patient_alice, other, chairs[0], day, 9)
    page = (
        client_for(front_desk)
        .get("/calendar/", {"day": day.isoformat(), "staff": str(nurse.public_id)})
        .content.decode()
    )
    assert f"room={chairs[0].public_id}&amp;day={day.isoformat()}&amp;at=09%3A00" not in page
    assert f"&amp;staff={nurse.public_id}" in page and "Alice" in page


def test_each_day_of_the_week_opens_its_grid(location, front_desk, chairs):
    day = next_weekday(location)
    page = (
        client_for(front_desk)
        .get("/calendar/", {"view": "week", "day": day.isoformat()})
        .content.decode()
    )
    assert f"view=day&amp;day={day.isoformat()}" in page


def test_today_s_half_hours_already_begun_are_not_offered_for_booking(location, chairs):
    today = timezone.localdate(timezone.now(), location.zone)
    rows = selectors.day_grid(location=location, day=today, rooms=[chairs[0]], appointments=[])[
        "grid_rows"
    ]
    now = timezone.now()
    for row in rows:
        cell, booking_query = row.cells[0]
        assert cell.free
        assert bool(booking_query) == (cell.starts_at > now)


@pytest.mark.parametrize("day", ["2026-13-45", "abc", "9999-12-31", "0001-01-01"])
def test_a_day_that_cannot_be_shown_says_so_and_shows_today(front_desk, chairs, day):
    response = client_for(front_desk).get("/calendar/", {"day": day})
    page = response.content.decode()
    assert response.status_code == 200
    assert "That day could not be shown" in page


def test_today_asked_for_by_its_date_shows_no_warning(front_desk, chairs, location):
    today = timezone.localdate(timezone.now(), location.zone)
    page = client_for(front_desk).get("/calendar/", {"day": today.isoformat()}).content.decode()
    assert "That day could not be shown" not in page
