from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic.accounts.choices import PORTAL_ROLES, Role
from clinic.accounts.models import User
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_time, show_weekday_date
from clinic.core.exceptions import (
    InvalidTransitionError,
    NotFoundError,
)
from clinic.core.forms import (
    add_service_error,
    form_status,
    posted_data,
    refusal_as_message,
    refusal_caught,
    refusal_shown_on,
)
from clinic.core.permissions import role_required
from clinic.core.validators import BROWSE_DATES
from clinic.patients.selectors import record_chart_viewed
from clinic.patients.views import (
    chart_section_url,
    locations_for,
    patient_or_404,
    portal_patient_or_404,
)
from clinic.scheduling import checkin, follow_ups, ical, selectors, services, waitlist
from clinic.scheduling.choices import AppointmentKind, AppointmentStatus, PatientRequestKind
from clinic.scheduling.forms import (
    BookingForm,
    CancelForm,
    CheckInForm,
    DeclineRequestForm,
    MoveForm,
    OfferAnswerForm,
    PatientRequestForm,
    RebookChoice,
    RequestActionForm,
    SeriesForm,
    SlotSearchForm,
    WaitlistEntryActionForm,
    WaitlistForm,
    rebook_choices,
    series_choice,
    series_starts,
)
from clinic.scheduling.models import AppointmentType, CalendarFeed, Room
from clinic.scheduling.permissions import BOOKING_ROLES
from clinic.treatment.selectors import current_plan_version

BOOKERS = tuple(BOOKING_ROLES)


@role_required(*BOOKERS)
def book(request, patient_public_id):
    patient = patient_or_404(request, patient_public_id)
    record_chart_viewed(request.user, patient, section="book")
    form = BookingForm(
        posted_data(request), location=patient.location, initial=request.GET.dict() or None
    )
    conflict = None
    rebook: list[RebookChoice] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            try:
                appointment = services.book_appointment(
                    actor=request.user,
                    patient=patient,
                    appointment_type=data["appointment_type"],
                    starts_at=services.local_start(data["day"], data["at"], patient.location),
                    room=data["room"],
                    staff=data["staff"],
                    override_reason=data["override_reason"],
                )
            except services.ConflictError as error:
                # Explained below the form, with the colliding bookings and the nearest free times.
                conflict = error
                rebook = rebook_choices(
                    request.POST, error.alternatives, zone=patient.location.zone
                )
                form.add_error(
                    None,
                    "This time collides with other bookings; see why below and pick another time.",
                )
            else:
                messages.success(
                    request,
                    f"Booked: {appointment.appointment_type} on {show_weekday_date(appointment.starts_at, patient.location.zone)} at {show_time(appointment.starts_at, patient.location.zone)}.",
                )
                if appointment.dose_spacing_warning:
                    # Booked all the same: the pre-dose gates decide on the day.
                    messages.warning(
                        request, f"Too close to another dose: {appointment.dose_spacing_warning}"
                    )
                return redirect(chart_section_url(patient, "appointments"))
    return render(
        request,
        "scheduling/book.html",
        {
            "patient": patient,
            "form": form,
            "conflict": conflict,
            "rebook": rebook,
            "rebook_verb": "Book",
            "rebook_does": "books it",
        },
        status=409 if conflict else form_status(form),
    )


SERIES_REFUSED = (
    "Nothing was booked: a session collides with another booking. Its row below says why; "
    "choose one of its free times, then book the series again."
)


@role_required(*BOOKERS)
def book_series(request, patient_public_id):
    """Book the plan's induction series in one step: every session checked first at its proposed
    time; where one collides, its nearest free times are buttons that put that time in its row
    (an htmx swap of the row, or without JavaScript the whole page again); then one button books
    them all, at the times the rows hold."""
    patient = patient_or_404(request, patient_public_id)
    record_chart_viewed(request.user, patient, section="book series")
    version = current_plan_version(patient)
    if version is None:
        messages.error(request, "There is no signed treatment plan to book from.")
        return redirect(chart_section_url(patient, "appointments"))
    # The plan's phases: its induction series, then its first maintenance sessions.
    phase = "maintenance" if request.GET.get("phase") == "maintenance" else "induction"
    proposed_dates = [date.fromisoformat(d) for d in version.proposed_dates]
    dates = (
        proposed_dates[version.induction_sessions :]
        if phase == "maintenance"
        else proposed_dates[: version.induction_sessions]
    )
    default_type = AppointmentType.objects.filter(
        kind=AppointmentKind.TREATMENT, route=version.route, is_active=True
    ).first()
    form = SeriesForm(
        posted_data(request),
        location=patient.location,
        initial={"appointment_type": default_type, "at": "09:00"},
    )
    rows: list[tuple[services.SeriesSlot, datetime]] = []
    refused: services.ConflictError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proposed = [services.local_start(day, data["at"], patient.location) for day in dates]
        action = request.POST.get("action")
        # "Check availability" starts again from the plan's times (the settings may have
        # changed); a suggestion's button and "Book the series" keep the times the rows hold.
        starts = proposed if action == "check" else series_starts(request.POST, proposed)
        choice = series_choice(request.POST, len(starts))
        if choice is not None:
            number, starts_at = choice
            starts[number - 1] = starts_at
        elif action == "book":
            with refusal_shown_on(form):
                try:
                    booked = services.book_series(
                        actor=request.user,
                        patient=patient,
                        appointment_type=data["appointment_type"],
                        starts=starts,
                        room=data["room"],
                        staff=data["staff"],
                        plan_version=version,
                        override_reason=data["override_reason"],
                    )
                except services.ConflictError as error:
                    # Said once above the rows; each colliding row says why, with its free times.
                    refused = error
                else:
                    messages.success(
                        request, f"Booked {len(booked)} sessions of the {phase} phase."
                    )
                    for appointment in booked:
                        if appointment.dose_spacing_warning:
                            messages.warning(
                                request,
                                f"Session {appointment.series_number} is too close to another "
                                f"dose: {appointment.dose_spacing_warning}",
                            )
                    return redirect(chart_section_url(patient, "appointments"))
        slots = services.check_series(
            patient=patient,
            appointment_type=data["appointment_type"],
            starts=starts,
            room=data["room"],
            staff=data["staff"],
        )
        if refused is not None:
            # A collision the rows do not show (a time taken between this check and the
            # booking's) is said in the booking's own words instead.
            form.add_error(
                None,
                SERIES_REFUSED
                if any(slot.conflicts for slot in slots)
                else f"Nothing was booked: {refused.message}",
            )
        rows = list(zip(slots, proposed, strict=True))
        if choice is not None and request.headers.get("HX-Request"):
            slot, proposed_at = rows[choice[0] - 1]
            return render(
                request,
                "scheduling/_series_slot.html",
                {"patient": patient, "phase": phase, "slot": slot, "proposed_at": proposed_at},
            )
    return render(
        request,
        "scheduling/series.html",
        {
            "patient": patient,
            "form": form,
            "version": version,
            "dates": dates,
            "rows": rows,
            "phase": phase,
        },
        status=409 if refused is not None else form_status(form),
    )


def _appointment_or_404(request, public_id):
    appointment = selectors.visible_appointments(request.user).filter(public_id=public_id).first()
    if appointment is None:
        raise Http404("We could not find that appointment.")
    return appointment


@role_required(*BOOKERS)
def appointment_detail(request, public_id):
    appointment = _appointment_or_404(request, public_id)
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.CALENDAR_VIEWED,
        target=appointment,
        about=appointment,
    )
    cancel_form = CancelForm(prefix="cancel")
    local = timezone.localtime(appointment.starts_at, appointment.location.zone)
    move_form = MoveForm(prefix="move", initial={"day": local.date(), "at": local.time()})
    conflict = None
    rebook: list[RebookChoice] = []
    if request.method == "POST":
        action = request.POST.get("action")
        with refusal_caught() as refusal:
            if action == "cancel":
                cancel_form = CancelForm(request.POST, prefix="cancel")
                if cancel_form.is_valid():
                    services.cancel_appointment(
                        actor=request.user,
                        appointment=appointment,
                        reason=cancel_form.cleaned_data["reason"],
                        details=cancel_form.cleaned_data["details"],
                    )
                    messages.success(request, "The appointment is cancelled.")
                    return redirect("scheduling:appointment", appointment.public_id)
            elif action == "move":
                move_form = MoveForm(request.POST, prefix="move")
                if move_form.is_valid():
                    starts_at = services.local_start(
                        move_form.cleaned_data["day"],
                        move_form.cleaned_data["at"],
                        appointment.location,
                    )
                    services.move_appointment(
                        actor=request.user,
                        appointment=appointment,
                        starts_at=starts_at,
                        override_reason=move_form.cleaned_data["override_reason"],
                    )
                    messages.success(request, "The appointment is moved.")
                    return redirect("scheduling:appointment", appointment.public_id)
            elif action == "check_in":
                services.check_in(actor=request.user, appointment=appointment)
                messages.success(request, "Checked in.")
                return redirect("scheduling:appointment", appointment.public_id)
            elif action == "undo_check_in":
                services.undo_check_in(actor=request.user, appointment=appointment)
                messages.success(
                    request, "The check-in is undone; the appointment is booked again."
                )
                return redirect("scheduling:appointment", appointment.public_id)
            elif action == "no_show":
                services.mark_no_show(actor=request.user, appointment=appointment)
                messages.success(request, "Marked as a no-show.")
                return redirect("scheduling:appointment", appointment.public_id)
        if isinstance(refusal.error, services.ConflictError):
            conflict = refusal.error  # explained with the colliding bookings
            rebook = rebook_choices(
                request.POST,
                conflict.alternatives,
                zone=appointment.location.zone,
                day_field="move-day",
                at_field="move-at",
            )
        elif isinstance(refusal.error, services.WarningsNeedReasonError):
            add_service_error(
                move_form, refusal.error
            )  # the warnings beside the reason they ask for
        elif refusal.error is not None:
            messages.error(request, refusal.error.message)
    suggested: list[RebookChoice] = []
    if (
        not conflict
        and appointment.status == AppointmentStatus.BOOKED
        and appointment.patient_request == PatientRequestKind.RESCHEDULE
    ):
        # The patient asked for another time: the nearest free ones, each a button that moves it.
        suggested = rebook_choices(
            QueryDict("action=move"),
            selectors.suggested_move_times(appointment),
            zone=appointment.location.zone,
            day_field="move-day",
            at_field="move-at",
        )
    return render(
        request,
        "scheduling/appointment.html",
        {
            "appointment": appointment,
            "suggested": suggested,
            "cancel_form": cancel_form,
            "move_form": move_form,
            "conflict": conflict,
            "rebook": rebook,
            "rebook_verb": "Move to",
            "rebook_does": "moves it",
        },
        status=409 if conflict else 200,
    )


@role_required(*BOOKERS)
def calendar(request):
    """Day or week view for a location, per room or per member of staff."""
    viewer = request.user
    locations = list(locations_for(viewer))
    if not locations:
        raise Http404("You are not assigned to a location.")
    location = next(
        (place for place in locations if str(place.pk) == request.GET.get("location")), locations[0]
    )
    today = timezone.localdate(timezone.now(), location.zone)
    # A day that is not a date, or is out of the clinic's range, shows today instead, and says so.
    asked_day = request.GET.get("day")
    start_day = BROWSE_DATES.parse(asked_day, today=today) or today
    if asked_day and start_day == today and asked_day != today.isoformat():
        messages.warning(
            request,
            "That day could not be shown (not a date as YYYY-MM-DD, or outside the calendar's "
            "years): here is today.",
        )
    view = "week" if request.GET.get("view") == "week" else "day"
    if view == "week":
        start_day -= timedelta(days=start_day.weekday())
    room = (
        Room.objects.filter(location=location, public_id=request.GET.get("room")).first()
        if _is_uuid(request.GET.get("room"))
        else None
    )

    staff = (
        User.objects.filter(locations=location, public_id=request.GET.get("staff")).first()
        if _is_uuid(request.GET.get("staff"))
        else None
    )
    data = selectors.calendar(
        viewer,
        location=location,
        start_day=start_day,
        days=7 if view == "week" else 1,
        room=room,
        staff=staff,
    )
    grid = {}
    if view == "day":
        # The grid shows what holds each chair whoever staffs it (a chair another nurse has is
        # not free); a chosen member of staff is who its booking links book with.
        everyone = (
            data
            if staff is None
            else selectors.calendar(
                viewer, location=location, start_day=start_day, days=1, room=room
            )
        )
        grid = selectors.day_grid(
            location=location,
            day=start_day,
            rooms=[room] if room is not None else data["rooms"],
            appointments=dict(everyone["days"]).get(start_day, []),
        )
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.CALENDAR_VIEWED,
        location_id=location.pk,
        details={"day": start_day.isoformat(), "view": view},
    )
    step = timedelta(days=7 if view == "week" else 1)
    staff_members = list(
        User.objects.filter(
            locations=location, is_active=True, role__in=[Role.NURSE, Role.CLINICIAN]
        ).order_by("full_name")
    )
    return render(
        request,
        "scheduling/calendar.html",
        {
            **data,
            **grid,
            "location": location,
            "locations": locations,
            "view": view,
            "start_day": start_day,
            "room": room,
            "staff": staff,
            "previous_day": start_day - step,
            "next_day": start_day + step,
            "staff_members": staff_members,
            "today": today,
        },
    )


@role_required(*BOOKERS)
def change_requests(request):
    """Patients' requests from the portal to cancel or move an appointment, oldest first, each
    answered in one click: cancel as asked, move (suggested times on the appointment), or decline
    with a note to the patient."""
    if request.method == "POST":
        action = request.POST.get("action")
        form = (
            DeclineRequestForm(request.POST)
            if action == "decline"
            else RequestActionForm(request.POST)
        )
        if not form.is_valid():
            messages.error(
                request,
                "Write a note to the patient (at most 500 characters) to decline the request."
                if action == "decline"
                else "Choose a request from the list.",
            )
            return redirect("scheduling:change_requests")
        appointment = _appointment_or_404(request, form.cleaned_data["appointment"])
        with refusal_as_message(request):
            if action == "decline":
                services.decline_change_request(
                    actor=request.user, appointment=appointment, reply=form.cleaned_data["reply"]
                )
                messages.success(
                    request, f"Declined; {appointment.patient.display_name} is told in the portal."
                )
            else:
                services.cancel_as_requested(actor=request.user, appointment=appointment)
                messages.success(
                    request,
                    f"Cancelled as {appointment.patient.display_name} asked; the time is free.",
                )
        return redirect("scheduling:change_requests")
    page = selectors.list_change_requests(request.user, request.GET.get("page"))
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.CHANGE_REQUESTS_VIEWED,
        details={"page": page.number, "shown": len(page)},
    )
    return render(request, "scheduling/change_requests.html", {"page": page})


@require_GET
@role_required(*BOOKERS)
def change_request_count(request):
    """The menu's count of open change requests, fetched after the page loads (an htmx
    fragment: " (3)", or nothing when none wait)."""
    waiting = selectors.count_change_requests(request.user)
    return render(request, "scheduling/_change_request_count.html", {"waiting": waiting})


@role_required(*BOOKERS)
def waitlist_page(request):
    """The patients waiting for an earlier time at the viewer's locations, and the latest offers
    of freed times with their states."""
    if request.method == "POST":
        form = WaitlistEntryActionForm(request.POST)
        if not form.is_valid():
            raise Http404("We could not find that waitlist entry.")
        entry = selectors.get_waitlist_entry(request.user, form.cleaned_data["entry"])
        with refusal_as_message(request):
            waitlist.remove_from_waitlist(actor=request.user, entry=entry)
            messages.success(request, f"{entry.patient.display_name} is off the waitlist.")
        return redirect("scheduling:waitlist")
    # Entries whose dates have all passed close as the page is read, not only when the waitlist
    # job last ran, so the list shows no one who can no longer be offered a time.
    waitlist.close_passed_entries(among=selectors.visible_waitlist(request.user))
    page = selectors.list_waitlist(request.user, request.GET.get("page"))
    offers = selectors.recent_offers(request.user)
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.WAITLIST_VIEWED,
        details={"page": page.number, "waiting": len(page), "offers": len(offers)},
    )
    return render(
        request,
        "scheduling/waitlist.html",
        {
            "page": page,
            "offers": offers,
            "closed": selectors.recently_closed_waitlist(request.user),
            "closed_days": selectors.RECENTLY_CLOSED_DAYS,
            "offer_hours": waitlist.offer_hours(),
        },
    )


@role_required(*BOOKERS)
def add_to_waitlist(request, patient_public_id):
    """Put the patient on the waitlist for an earlier time of an appointment type."""
    patient = patient_or_404(request, patient_public_id)
    record_chart_viewed(request.user, patient, section="waitlist")
    today = timezone.localdate(timezone.now(), patient.location.zone)
    initial = {"earliest_on": today, "latest_on": today + timedelta(days=28)}
    if request.GET.get("appointment_type", "").isdigit():
        initial["appointment_type"] = request.GET["appointment_type"]
    form = WaitlistForm(posted_data(request), initial=initial)
    reach = selectors.waitlist_reach(patient)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            waitlist.add_to_waitlist(
                actor=request.user,
                patient=patient,
                appointment_type=data["appointment_type"],
                earliest_on=data["earliest_on"],
                latest_on=data["latest_on"],
                preferred_times=data["preferred_times"],
            )
            messages.success(
                request, f"{patient.display_name} is on the waitlist; {reach.promise}."
            )
            return redirect("scheduling:waitlist")
    return render(
        request,
        "scheduling/waitlist_add.html",
        {"patient": patient, "form": form, "reach": reach},
        status=form_status(form),
    )


@role_required(*PORTAL_ROLES)
def answer_offer(request, public_id):
    """The patient books the offered time, or lets it go to the next patient."""
    if request.method != "POST":
        return redirect("scheduling:my_appointments")
    offer = selectors.get_portal_offer(request.user, public_id)
    form = OfferAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to book the time or let it go.")
        return redirect("scheduling:my_appointments")
    with refusal_as_message(request):
        if form.cleaned_data["action"] == "accept":
            services.accept_waitlist_offer(patient_user=request.user, offer=offer)
            messages.success(request, "Booked: the earlier time is yours.")
        else:
            waitlist.decline_offer(patient_user=request.user, offer=offer)
            messages.success(request, "Thank you: the time goes to the next patient waiting.")
    return redirect("scheduling:my_appointments")


@role_required(*BOOKERS)
def book_slot(request):
    """A free cell of the day grid: find the patient, then book them into it (the booking form
    opens with the room, day and time filled in)."""
    form = SlotSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "scheduling/book_slot.html", {"form": form}, status=400)
    data = form.cleaned_data
    room = selectors.get_bookable_room(request.user, data["room"])
    staff = (
        User.objects.filter(locations=room.location, public_id=data["staff"]).first()
        if data["staff"]
        else None
    )
    patients = selectors.patients_to_book_at(request.user, location=room.location, query=data["q"])
    prefill = {"room": room.pk, "day": data["day"].isoformat(), "at": data["at"].strftime("%H:%M")}
    if staff is not None:
        prefill["staff"] = staff.pk
    starts_at = services.local_start(data["day"], data["at"], room.location)
    return render(
        request,
        "scheduling/book_slot.html",
        {
            "form": form,
            "room": room,
            "starts_at": starts_at,
            "patients": patients,
            "prefill": urlencode(prefill),
            "query": data["q"],
            "calendar_query": urlencode(
                {"location": room.location_id, "day": data["day"].isoformat()}
            ),
        },
    )


def _is_uuid(value) -> bool:

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@role_required(*PORTAL_ROLES)
def my_appointments(request):
    patient = portal_patient_or_404(request)
    record_chart_viewed(request.user, patient, section="portal appointments")
    appointments = selectors.upcoming_for_patient(patient)
    form = PatientRequestForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        target = next(
            (a for a in appointments if str(a.public_id) == request.POST.get("appointment")), None
        )
        if target is None:
            raise Http404("We could not find that appointment.")
        with refusal_as_message(request):
            services.request_change(
                patient_user=request.user,
                appointment=target,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request, "Your request is sent. The clinic will contact you to confirm."
            )
            # A guardian's choice of patient is remembered (the session): the plain address.
            return redirect("scheduling:my_appointments")
    return render(
        request,
        "scheduling/my_appointments.html",
        {
            "patient": patient,
            "appointments": appointments,
            "form": form,
            "offers": selectors.open_offers_for(patient),
            "waitlist_closed": selectors.waitlist_closed_for(patient),
        },
        status=form_status(form),
    )


ICS = "text/calendar; charset=utf-8"


@require_GET
@never_cache
def staff_calendar_feed(request, token):
    """A staff member's private feed; no sign-in (calendar apps cannot), the token is the key."""
    body = ical.open_staff_feed(token)
    if body is None:
        raise Http404("No such calendar.")
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@never_cache
@role_required(*PORTAL_ROLES)
def appointment_ics(request, public_id):
    _appointment, body = ical.patient_ics_for(actor=request.user, public_id=public_id)
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@role_required(*BOOKERS)
def my_calendar_feed(request):
    """Create (or replace) the signed-in staff member's private feed link, or revoke it."""

    link = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            ical.revoke_feed(actor=request.user)
            messages.success(
                request, "The calendar link is revoked; calendars using it stop updating."
            )
        else:
            token = ical.create_feed_token(actor=request.user)
            link = settings.CLINIC_BASE_URL + reverse("scheduling:staff_feed", args=[token])
    has_feed = CalendarFeed.objects.filter(user=request.user).exists()
    return render(request, "scheduling/feed.html", {"link": link, "has_feed": has_feed})


def pre_visit_check_in(request, token):
    """The patient's pre-visit questions, from the reminder link (no sign-in)."""

    try:
        record = checkin.open_check_in(token)
    except InvalidTransitionError as error:
        return render(
            request, "scheduling/check_in_closed.html", {"message": error.message}, status=410
        )
    except NotFoundError as error:
        return render(
            request, "scheduling/check_in_closed.html", {"message": error.message}, status=404
        )
    form = CheckInForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            answered = checkin.answer_check_in(
                token=token,
                fasting=data["fasting"] == "yes",
                ride=data["ride"] == "yes",
                medication_changed=data["medication_changed"] == "yes",
                details=data["medication_change_details"],
            )
            return render(request, "scheduling/check_in_done.html", {"check_in": answered})
    appointment = record.appointment
    # The page names the appointment (its day, time and place) to whoever holds the link.
    record_audit_event(
        actor=None,
        actor_label="patient (check-in link)",
        event_type=AuditEventType.CHECK_IN_OPENED,
        target=record,
        about=appointment,
    )
    return render(
        request,
        "scheduling/check_in.html",
        {"form": form, "appointment": appointment},
        status=form_status(form),
    )


@role_required(*BOOKERS)
def follow_up_list(request):
    """Follow-ups and reassessments due in the coming week, and those overdue."""

    if request.method == "POST":
        item = (
            selectors.visible_follow_ups(request.user)
            .filter(public_id=request.POST.get("follow_up"))
            .select_related("patient")
            .first()
            if _is_uuid(request.POST.get("follow_up"))
            else None
        )
        if item is None:
            raise Http404("We could not find that follow-up.")
        with refusal_as_message(request):
            follow_ups.complete_follow_up(actor=request.user, follow_up=item)
            messages.success(request, "Marked as done.")
        return redirect("scheduling:follow_ups")
    items = follow_ups.due_follow_ups(request.user)
    today = timezone.localdate()
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.CALENDAR_VIEWED,
        details={"follow_ups": len(items)},
    )
    types = {
        t.kind: t.pk
        for t in AppointmentType.objects.filter(
            kind__in=["follow_up", "reassessment"], is_active=True
        )
    }
    rows = [(item, item.due_on < today, types.get(item.kind)) for item in items]
    return render(request, "scheduling/follow_ups.html", {"rows": rows})
