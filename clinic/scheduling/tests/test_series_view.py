"""The series booking page: each session at its proposed time, a colliding one's free times as
buttons that put that time in its row (htmx or a plain POST), then one booking of them all."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.evaluation import services as evaluation_services
from clinic.evaluation.tests.factories import complete_evaluation
from clinic.scheduling import services
from clinic.scheduling.models import Appointment
from clinic.scheduling.tests.factories import infusion, make_chair
from clinic.scheduling.views import SERIES_REFUSED
from clinic.treatment import services as treatment
from clinic.treatment.models import ProtocolTemplate
from conftest import PASSWORD, client_for

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(clinician, patient_alice):
    evaluation = complete_evaluation(clinician, patient_alice)
    evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="ok",
        password=PASSWORD,
    )
    return treatment.sign_plan_version(
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
            start_date=timezone.localdate() + timedelta(days=7),
            target_outcomes="Response",
            induction_sessions=6,
            induction_sessions_per_week=3,
            maintenance_interval_days=28,
            infusion_minutes=40,
            change_reason="initial",
        ),
    )


@pytest.fixture
def chair(location):
    return make_chair(location)


@pytest.fixture
def settings_posted(chair, nurse):
    return {"appointment_type": infusion().pk, "at": "10:00", "room": chair.pk, "staff": nurse.pk}


def url_for(patient) -> str:
    return f"/patients/{patient.public_id}/appointments/series/?phase=induction"


def proposed_starts(plan, location) -> list[datetime]:
    return [
        services.local_start(date.fromisoformat(d), time(10), location)
        for d in plan.proposed_dates[: plan.induction_sessions]
    ]


def rows_posted(starts: list[datetime]) -> dict[str, str]:
    return {f"session-{n}": s.isoformat() for n, s in enumerate(starts, start=1)}


@pytest.fixture
def second_session_taken(front_desk, patient_bob, plan, chair, nurse, location):
    """Bob sits in the chair at the second session's proposed time."""
    return services.book_appointment(
        actor=front_desk,
        patient=patient_bob,
        appointment_type=infusion(),
        starts_at=proposed_starts(plan, location)[1],
        room=chair,
        staff=nurse,
    )


def test_checking_shows_each_session_at_its_proposed_time_and_a_collision_with_free_times(
    front_desk, patient_alice, plan, location, settings_posted, second_session_taken
):
    response = client_for(front_desk).post(
        url_for(patient_alice), settings_posted | {"action": "check"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<tr id="series-slot-') == 6
    assert page.count("Free</span>") == 5
    assert "Chair 1 is booked" in page
    # The second session's free times are buttons naming the session they are for.
    assert 'name="choose" value="2@' in page and 'hx-target="#series-slot-2"' in page
    assert 'name="choose" value="1@' not in page
    assert "Book the series (6 sessions)" in page
    # Laid out as the single booking page's free times: its list class and its stylesheet.
    assert '<ul class="rebook-choices">' in page and "scheduling/scheduling.css" in page


def test_choosing_a_free_time_swaps_that_row_only(
    front_desk, patient_alice, plan, location, settings_posted, second_session_taken
):
    starts = proposed_starts(plan, location)
    free = starts[1] + timedelta(hours=3)
    response = client_for(front_desk).post(
        url_for(patient_alice),
        settings_posted | rows_posted(starts) | {"choose": f"2@{free.isoformat()}"},
        **HX,
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<tr id="series-slot-2"') and "<html" not in fragment
    assert f'name="session-2" value="{free.isoformat()}"' in fragment
    assert "instead of the proposed" in fragment and "Free</span>" in fragment
    assert not Appointment.objects.filter(patient=patient_alice).exists()


def test_choosing_a_free_time_without_javascript_shows_the_whole_page_with_it(
    front_desk, patient_alice, plan, location, settings_posted, second_session_taken
):
    starts = proposed_starts(plan, location)
    free = starts[1] + timedelta(hours=3)
    response = client_for(front_desk).post(
        url_for(patient_alice),
        settings_posted | rows_posted(starts) | {"choose": f"2@{free.isoformat()}"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert page.count('<tr id="series-slot-') == 6
    assert f'name="session-2" value="{free.isoformat()}"' in page
    # Every other row keeps its time.
    assert f'name="session-3" value="{starts[2].isoformat()}"' in page
    assert page.count("Free</span>") == 6


def test_booking_the_series_books_every_session_at_the_time_its_row_holds(
    front_desk, patient_alice, plan, location, settings_posted, second_session_taken
):
    starts = proposed_starts(plan, location)
    starts[1] += timedelta(hours=3)
    response = client_for(front_desk).post(
        url_for(patient_alice), settings_posted | rows_posted(starts) | {"action": "book"}
    )
    assert response.status_code == 302
    booked = Appointment.objects.filter(patient=patient_alice, plan_version=plan).order_by(
        "starts_at"
    )
    assert [a.starts_at for a in booked] == starts
    assert [a.series_number for a in booked] == [1, 2, 3, 4, 5, 6]


def test_booking_a_series_with_a_collision_books_nothing_and_says_so_once(
    front_desk, patient_alice, plan, location, settings_posted, second_session_taken
):
    starts = proposed_starts(plan, location)
    response = client_for(front_desk).post(
        url_for(patient_alice), settings_posted | rows_posted(starts) | {"action": "book"}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert not Appointment.objects.filter(patient=patient_alice).exists()
    assert page.count(SERIES_REFUSED) == 1
    # The reason is on the colliding row alone, with its free times.
    assert page.count("Chair 1 is booked") == 1
    assert 'name="choose" value="2@' in page


def test_two_sessions_picked_at_overlapping_times_collide_on_their_rows(
    front_desk, patient_alice, plan, location, settings_posted
):
    starts = proposed_starts(plan, location)
    starts[1] = starts[0] + timedelta(minutes=30)
    response = client_for(front_desk).post(
        url_for(patient_alice), settings_posted | rows_posted(starts) | {"action": "book"}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Session 2 of this series overlaps it" in page
    assert "Session 1 of this series overlaps it" in page
    assert not Appointment.objects.filter(patient=patient_alice).exists()


def test_a_row_s_unreadable_time_falls_back_to_the_proposed_one(
    front_desk, patient_alice, plan, location, settings_posted
):
    starts = proposed_starts(plan, location)
    posted = rows_posted(starts) | {"session-3": "not a time", "session-4": "2027-03-10T10:00"}
    page = (
        client_for(front_desk)
        .post(url_for(patient_alice), settings_posted | posted | {"choose": "9@nonsense"})
        .content.decode()
    )
    # A time without its zone is not read either: the row keeps the plan's time.
    assert f'name="session-3" value="{starts[2].isoformat()}"' in page
    assert f'name="session-4" value="{starts[3].isoformat()}"' in page
    assert "instead of the proposed" not in page


def test_a_series_with_a_nurse_without_working_hours_asks_why_then_keeps_the_reason(
    front_desk, patient_alice, plan, location, settings_posted, nurse
):
    from clinic.scheduling.models import StaffHours

    StaffHours.objects.filter(user=nurse, location=location).delete()
    starts = proposed_starts(plan, location)
    client = client_for(front_desk)
    refused = client.post(
        url_for(patient_alice), settings_posted | rows_posted(starts) | {"action": "book"}
    )
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "has no working hours on record" in page and "To book it anyway, say why." in page
    assert not Appointment.objects.filter(patient=patient_alice).exists()
    # The rows keep their times for the second try.
    assert f'name="session-3" value="{starts[2].isoformat()}"' in page

    booked = client.post(
        url_for(patient_alice),
        settings_posted
        | rows_posted(starts)
        | {"action": "book", "override_reason": "Hours not entered yet; rota says Tue/Thu."},
    )
    assert booked.status_code == 302
    appointments = Appointment.objects.filter(patient=patient_alice).order_by("starts_at")
    assert appointments.count() == 6
    assert {a.override_reason for a in appointments} == {
        "Hours not entered yet; rota says Tue/Thu."
    }
    assert all("no working hours on record" in a.booking_warnings for a in appointments)


def test_a_proposed_date_that_has_passed_is_said_on_its_row_with_free_times_from_now(
    front_desk, patient_alice, plan, location, settings_posted
):
    starts = proposed_starts(plan, location)
    starts[0] = timezone.now() - timedelta(days=1)
    # A row holding a time that has gone by (as a plan's first proposed date does when the
    # series is booked after it).
    page = client_for(front_desk).post(
        url_for(patient_alice), settings_posted | rows_posted(starts) | {"action": "book"}
    )
    text = page.content.decode()
    assert page.status_code == 400
    assert "Session 1: An appointment cannot start in the past." in text
    assert "has passed." in text
    assert not Appointment.objects.filter(patient=patient_alice).exists()
    suggested = [
        datetime.fromisoformat(value.split("@", 1)[1])
        for value in re.findall(r'name="choose" value="(1@[^"]+)"', text)
    ]
    assert suggested and all(at > timezone.now() for at in suggested)
