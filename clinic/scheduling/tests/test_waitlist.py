"""The waitlist: a freed future time is offered to the first suitable patient waiting, who books
it in the portal (with every booking check) or lets it go to the next; expired offers move on."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling import services, waitlist
from clinic.scheduling.choices import (
    AppointmentStatus,
    WaitlistOfferStatus,
    WaitlistStatus,
)
from clinic.scheduling.models import Appointment, AppointmentType, WaitlistEntry, WaitlistOffer
from clinic.scheduling.tests.factories import infusion, make_chair, working_week
from clinic.scheduling.tests.test_day_grid import next_weekday
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(location):
    return make_chair(location)


@pytest.fixture
def carol(clinician, location):
    return register_test_patient(
        actor=clinician,
        location=location,
        first_name="Carol",
        last_name="Ng",
        portal=True,
        email="carol@example.test",
    )


@pytest.fixture
def day(location, nurse):
    working_week(nurse, location)
    return next_weekday(location)


def book(front_desk, patient, nurse, chair, day, hour=9):
    return services.book_appointment(
        actor=front_desk,
        patient=patient,
        appointment_type=infusion(),
        starts_at=services.local_start(day, time(hour), patient.location),
        room=chair,
        staff=nurse,
    )


def wait(front_desk, patient, day, *, earliest=None, latest=None, kind=None):
    today = timezone.localdate(timezone.now(), patient.location.zone)
    return waitlist.add_to_waitlist(
        actor=front_desk,
        patient=patient,
        appointment_type=kind or infusion(),
        earliest_on=earliest or today,
        latest_on=latest or day + timedelta(days=14),
        preferred_times="Mornings",
    )


def test_a_patient_is_put_on_the_waitlist_once_per_type(front_desk, patient_bob, day):
    entry = wait(front_desk, patient_bob, day)
    assert entry.status == WaitlistStatus.WAITING and entry.added_by == front_desk
    audit = AuditEvent.objects.get(event_type=AuditEventType.WAITLIST_ENTRY_ADDED)
    assert audit.actor == front_desk and audit.details["type"] == "iv-infusion"
    with pytest.raises(ClinicError, match="already waiting"):
        wait(front_desk, patient_bob, day)
    with pytest.raises(ClinicError, match="before the earliest"):
        wait(front_desk, patient_bob, day, earliest=day, latest=day - timedelta(days=1))


def test_the_wrong_role_and_another_location_cannot_add(patient_bob, other_location_clinician, day):
    with pytest.raises(PermissionDeniedError):
        wait(patient_bob.user, patient_bob, day)
    with pytest.raises(NotFoundError):
        wait(other_location_clinician, patient_bob, day)
    assert not WaitlistEntry.objects.exists()


def test_a_cancelled_time_is_offered_to_the_first_suitable_patient_with_a_notice(
    front_desk,
    nurse,
    chair,
    day,
    patient_alice,
    patient_bob,
    carol,
    django_capture_on_commit_callbacks,
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    # Bob waits only for dates after the freed day; Carol waits for the right dates.
    wait(front_desk, patient_bob, day, earliest=day + timedelta(days=1))
    carols = wait(front_desk, carol, day)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    offer = WaitlistOffer.objects.get()
    assert offer.entry == carols and offer.status == WaitlistOfferStatus.OPEN
    assert (offer.starts_at, offer.room, offer.staff) == (appointment.starts_at, chair, nurse)
    assert offer.expires_at <= timezone.now() + timedelta(hours=24)
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.WAITLIST_OFFER_MADE, patient_id=carol.pk
    ).exists()
    assert mail.outbox[-1].to == ["carol@example.test"]
    assert "An earlier appointment is free" in mail.outbox[-1].subject
    portal = client_for(carol.user).get("/portal/appointments/").content.decode()
    assert "An earlier time is free for you" in portal and "Book this time" in portal


def test_a_no_show_frees_nothing(front_desk, nurse, chair, location, patient_alice, carol, day):
    wait(front_desk, carol, day)
    started = Appointment.objects.create(  # set-up: an appointment that began an hour ago
        patient=patient_alice,
        location=location,
        appointment_type=infusion(),
        room=chair,
        staff=nurse,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
        booked_by=front_desk,
    )
    services.mark_no_show(actor=front_desk, appointment=started)
    assert not WaitlistOffer.objects.exists()


def test_the_old_time_of_a_moved_appointment_is_offered(
    front_desk, nurse, chair, day, patient_alice, carol
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    wait(front_desk, carol, day)
    services.move_appointment(
        actor=front_desk,
        appointment=appointment,
        starts_at=services.local_start(day, time(13), patient_alice.location),
    )
    offer = WaitlistOffer.objects.get()
    assert offer.entry.patient == carol
    assert offer.starts_at == services.local_start(day, time(9), patient_alice.location)


def test_accepting_books_the_time_with_its_checks(
    front_desk, nurse, chair, day, patient_alice, carol
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    wait(front_desk, carol, day)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    offer = WaitlistOffer.objects.get()
    response = client_for(carol.user).post(
        f"/portal/offers/{offer.public_id}/", {"action": "accept"}, follow=True
    )
    assert "Booked: the earlier time is yours." in response.content.decode()
    booked = Appointment.objects.get(patient=carol)
    assert (booked.starts_at, booked.room, booked.staff) == (appointment.starts_at, chair, nurse)
    assert booked.status == AppointmentStatus.BOOKED
    offer.refresh_from_db()
    assert offer.status == WaitlistOfferStatus.ACCEPTED and offer.appointment == booked
    assert offer.entry.status == WaitlistStatus.BOOKED
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.APPOINTMENT_BOOKED, actor=carol.user
    ).exists()
    with pytest.raises(InvalidTransitionError, match="accepted and booked already"):
        services.accept_waitlist_offer(patient_user=carol.user, offer=offer)


def test_a_time_taken_meanwhile_is_refused_and_the_patient_keeps_waiting(
    front_desk, nurse, chair, day, patient_alice, patient_bob, carol
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    wait(front_desk, carol, day)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    offer = WaitlistOffer.objects.get()
    book(front_desk, patient_bob, nurse, chair, day)  # the front desk gave the chair to Bob
    with pytest.raises(InvalidTransitionError, match="just been taken"):
        services.accept_waitlist_offer(patient_user=carol.user, offer=offer)
    offer.refresh_from_db()
    assert offer.status == WaitlistOfferStatus.TAKEN
    assert offer.entry.status == WaitlistStatus.WAITING
    assert not Appointment.objects.filter(patient=carol).exists()


def test_a_declined_offer_goes_to_the_next_patient(
    front_desk, nurse, chair, day, patient_alice, patient_bob, carol
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    wait(front_desk, carol, day)
    wait(front_desk, patient_bob, day)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    first = WaitlistOffer.objects.get()
    assert first.entry.patient == carol
    client_for(carol.user).post(f"/portal/offers/{first.public_id}/", {"action": "decline"})
    first.refresh_from_db()
    assert first.status == WaitlistOfferStatus.DECLINED
    second = WaitlistOffer.objects.get(status=WaitlistOfferStatus.OPEN)
    assert second.entry.patient == patient_bob and second.starts_at == first.starts_at


def test_the_command_expires_offers_and_moves_on(
    front_desk, nurse, chair, day, patient_alice, patient_bob, carol
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    wait(front_desk, carol, day)
    wait(front_desk, patient_bob, day)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    first = WaitlistOffer.objects.get()
    WaitlistOffer.objects.filter(pk=first.pk).update(  # set-up: its time to answer ran out
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("offer_waitlist_slots")
    first.refresh_from_db()
    assert first.status == WaitlistOfferStatus.EXPIRED
    assert AuditEvent.objects.filter(event_type=AuditEventType.WAITLIST_OFFER_EXPIRED).exists()
    assert WaitlistOffer.objects.get(status=WaitlistOfferStatus.OPEN).entry.patient == patient_bob
    with pytest.raises(InvalidTransitionError, match="expired already"):
        services.accept_waitlist_offer(patient_user=carol.user, offer=first)


def test_another_patient_cannot_answer_the_offer(
    front_desk, nurse, chair, day, patient_alice, patient_bob, carol
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    wait(front_desk, carol, day)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    offer = WaitlistOffer.objects.get()
    response = client_for(patient_bob.user).post(
        f"/portal/offers/{offer.public_id}/", {"action": "accept"}
    )
    assert response.status_code == 404
    with pytest.raises(NotFoundError):
        services.accept_waitlist_offer(patient_user=patient_bob.user, offer=offer)
    with pytest.raises(NotFoundError):
        services.accept_waitlist_offer(patient_user=front_desk, offer=offer)
    offer.refresh_from_db()
    assert offer.status == WaitlistOfferStatus.OPEN


def test_the_waitlist_page_shows_entries_and_offers_and_takes_a_patient_off(
    front_desk, nurse, chair, day, patient_alice, carol, other_location_clinician
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    entry = wait(front_desk, carol, day)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    client = client_for(front_desk)
    page = client.get("/waitlist/").content.decode()
    assert "Carol" in page and "Mornings" in page and "Offered" in page
    assert "Carol" not in client_for(other_location_clinician).get("/waitlist/").content.decode()
    assert client.post("/waitlist/", {"entry": str(entry.public_id)}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.REMOVED and entry.closed_by == front_desk
    assert WaitlistOffer.objects.get().status == WaitlistOfferStatus.EXPIRED


def test_the_add_page_puts_a_patient_on_the_list_and_never_answers_500(
    front_desk, patient_bob, day
):
    client = client_for(front_desk)
    url = f"/patients/{patient_bob.public_id}/waitlist/"
    assert client.get(url, {"appointment_type": "abc"}).status_code == 200
    for data in (
        {"appointment_type": infusion().pk, "earliest_on": "2026-13-45", "latest_on": "x"},
        {"appointment_type": "999999", "earliest_on": day, "latest_on": day},
        {"appointment_type": infusion().pk, "earliest_on": day, "latest_on": "9999-12-31"},
        {
            "appointment_type": infusion().pk,
            "earliest_on": day,
            "latest_on": day,
            "preferred_times": "x" * 5000,
        },
    ):
        assert client.post(url, data).status_code == 400, data
    response = client.post(
        url,
        {
            "appointment_type": infusion().pk,
            "earliest_on": day.isoformat(),
            "latest_on": (day + timedelta(days=7)).isoformat(),
            "preferred_times": "Afternoons",
        },
    )
    assert response.status_code == 302
    assert WaitlistEntry.objects.get().preferred_times == "Afternoons"
    assert client.post("/waitlist/", {"entry": "nope"}).status_code == 404
    assert (
        client_for(patient_bob.user)
        .post("/portal/offers/00000000-0000-0000-0000-000000000000/", {"action": "accept"})
        .status_code
        == 404
    )


@pytest.mark.parametrize("count", [2, 30])
def test_the_waitlist_page_runs_a_fixed_number_of_queries(
    count, clinician, front_desk, location, day, django_assert_max_num_queries
):
    kind = AppointmentType.objects.filter(is_active=True).first()
    for n in range(count):
        patient = register_test_patient(
            actor=clinician, location=location, first_name=f"W{n}", last_name="Wait"
        )
        wait(front_desk, patient, day, kind=kind)
    client = client_for(front_desk)
    client.get("/patients/")
    with django_assert_max_num_queries(12):
        assert client.get("/waitlist/").status_code == 200


def test_answering_an_offer_never_answers_500(front_desk, nurse, chair, day, patient_alice, carol):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    entry = wait(front_desk, carol, day)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    offer = WaitlistOffer.objects.get()
    client = client_for(carol.user)
    url = f"/portal/offers/{offer.public_id}/"
    assert client.get(url).status_code == 302
    assert client.post(url, {"action": "x" * 5000}).status_code == 302
    assert client.post("/portal/offers/not-a-uuid/", {"action": "accept"}).status_code == 404
    assert client_for(front_desk).post(url, {"action": "accept"}).status_code in {302, 403}
    offer.refresh_from_db()
    assert offer.status == WaitlistOfferStatus.OPEN
    # Taken off the list by the front desk: the offer is withdrawn, and answering it says so.
    waitlist.remove_from_waitlist(actor=front_desk, entry=entry)
    response = client.post(url, {"action": "accept"}, follow=True)
    assert response.status_code == 200 and "expired already" in response.content.decode()
    assert (
        client_for(front_desk).post("/waitlist/", {"entry": str(entry.public_id)}).status_code
        == 302
    )


def test_a_time_that_no_longer_fits_the_patient_goes_to_the_next(
    front_desk, nurse, chair, location, day, patient_alice, patient_bob, carol
):
    appointment = book(front_desk, patient_alice, nurse, chair, day)
    wait(front_desk, carol, day)
    wait(front_desk, patient_bob, day)
    services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    offer = WaitlistOffer.objects.get()
    # Meanwhile Carol was booked in the other chair at that very time.
    book(front_desk, carol, nurse, make_chair(location, "Chair 2"), day)
    with pytest.raises(InvalidTransitionError, match="just been taken"):
        services.accept_waitlist_offer(patient_user=carol.user, offer=offer)
    offer.refresh_from_db()
    assert offer.status == WaitlistOfferStatus.TAKEN
    following = WaitlistOffer.objects.get(status=WaitlistOfferStatus.OPEN)
    assert following.entry.patient == patient_bob and following.starts_at == offer.starts_at


def dates_passed(entry: WaitlistEntry, *, days_ago: int = 1) -> None:
    """Set-up: the entry's whole date range is behind it (it was added weeks ago)."""
    today = timezone.localdate(timezone.now(), entry.location.zone)
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        earliest_on=today - timedelta(days=days_ago + 14),
        latest_on=today - timedelta(days=days_ago),
    )


def test_the_command_closes_an_entry_whose_dates_passed_and_tells_the_patient(
    front_desk, day, patient_bob, carol, django_capture_on_commit_callbacks
):
    carols = wait(front_desk, carol, day)
    bobs = wait(front_desk, patient_bob, day)
    dates_passed(carols)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("offer_waitlist_slots")
    carols.refresh_from_db()
    bobs.refresh_from_db()
    assert carols.status == WaitlistStatus.EXPIRED and carols.closed_at is not None
    assert carols.closed_by is None
    assert bobs.status == WaitlistStatus.WAITING
    audit = AuditEvent.objects.get(event_type=AuditEventType.WAITLIST_ENTRY_EXPIRED)
    # Written as the waitlist job's, as its offers' expiry is: no person acted.
    assert audit.actor is None and audit.actor_label == waitlist.JOB_LABEL
    assert audit.patient_id == carol.pk and audit.details["reason"] == "dates passed"
    assert mail.outbox[-1].to == ["carol@example.test"]
    assert "waitlist" in mail.outbox[-1].subject and "dates have passed" in mail.outbox[-1].body
    portal = client_for(carol.user).get("/portal/appointments/").content.decode()
    assert "Your place on the waitlist has ended" in portal
    assert "Your place on the waitlist has ended" not in (
        client_for(patient_bob.user).get("/portal/appointments/").content.decode()
    )


def test_an_entry_whose_last_day_is_today_keeps_waiting_and_a_second_run_closes_nothing(
    front_desk, day, patient_bob, carol
):
    carols = wait(front_desk, carol, day)
    bobs = wait(front_desk, patient_bob, day)
    dates_passed(carols)
    dates_passed(bobs, days_ago=0)
    assert waitlist.close_passed_entries() == 1
    assert waitlist.close_passed_entries() == 0
    assert AuditEvent.objects.filter(event_type=AuditEventType.WAITLIST_ENTRY_EXPIRED).count() == 1
    bobs.refresh_from_db()
    assert bobs.status == WaitlistStatus.WAITING


def test_reading_the_waitlist_page_closes_the_passed_entries_it_would_list(
    front_desk, day, carol, other_location, clinician
):
    carols = wait(front_desk, carol, day)
    dates_passed(carols)
    elsewhere = register_test_patient(
        actor=clinician, location=other_location, first_name="Dan", last_name="Far"
    )
    far = WaitlistEntry.objects.create(  # set-up: waiting at a location the viewer does not see
        patient=elsewhere,
        location=other_location,
        appointment_type=infusion(),
        earliest_on=carols.earliest_on,
        latest_on=carols.earliest_on,
        added_by=clinician,
    )
    page = client_for(front_desk).get("/waitlist/").content.decode()
    carols.refresh_from_db()
    far.refresh_from_db()
    waiting, _, closed = page.partition("<h2>Off the list")
    assert carols.status == WaitlistStatus.EXPIRED and "Carol" not in waiting
    assert "No one is waiting." in waiting
    # ... and is listed as off the list, with why, so the desk can tell what became of her.
    assert "Carol" in closed and "Closed: its dates passed" in closed
    assert "Dan" not in closed
    # Another location's entry is closed by its own staff's page, or by the job.
    assert far.status == WaitlistStatus.WAITING
    assert AuditEvent.objects.get(event_type=AuditEventType.WAITLIST_ENTRY_EXPIRED).details == {
        "reason": "dates passed",
        "latest_on": carols.latest_on.isoformat(),
    }


@pytest.mark.parametrize(
    ("portal", "email", "said", "not_said"),
    [
        (True, "dee@example.test", "in the portal and by e-mail", "no portal account"),
        (False, "dee@example.test", "by e-mail, in turn", "in the portal and by e-mail"),
        (False, "", "they will not hear of the offer at all", "by e-mail"),
    ],
)
def test_the_add_page_says_only_how_the_offer_reaches_this_patient(
    front_desk, clinician, location, portal, email, said, not_said
):
    dee = register_test_patient(
        actor=clinician, location=location, first_name="Dee", portal=portal, email=email
    )
    page = client_for(front_desk).get(f"/patients/{dee.public_id}/waitlist/").content.decode()
    assert said in page and not_said not in page
    if not portal:
        assert "has no portal account, and an offer is accepted only there" in page


@pytest.mark.parametrize(
    ("portal", "email", "said"),
    [
        (True, "dee@example.test", "a freed time is offered to them in the portal and by e-mail"),
        (False, "dee@example.test", "a freed time is e-mailed to them, but answered only in"),
        (False, "", "they have no portal account and no e-mail address, so no offer can reach"),
    ],
)
def test_the_message_after_adding_says_only_how_the_offer_reaches_this_patient(
    front_desk, clinician, location, portal, email, said
):
    dee = register_test_patient(
        actor=clinician, location=location, first_name="Dee", portal=portal, email=email
    )
    today = timezone.localdate(timezone.now(), location.zone)
    response = client_for(front_desk).post(
        f"/patients/{dee.public_id}/waitlist/",
        {
            "appointment_type": infusion().pk,
            "earliest_on": today.isoformat(),
            "latest_on": (today + timedelta(days=14)).isoformat(),
            "preferred_times": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "is on the waitlist; " + said in page
