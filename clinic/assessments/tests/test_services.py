"""Sending questionnaires, answering, scoring, locking, and the safety alerts that cannot be missed."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from clinic.assessments import services
from clinic.assessments.choices import AlertStatus, RequestStatus, ResponseStatus
from clinic.assessments.models import (
    AssessmentPolicy,
    AssessmentResponse,
    QuestionnaireRequest,
    SafetyAlert,
)
from clinic.assessments.tests.factories import phq9_answers, record_phq9
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)


@pytest.fixture
def sent(clinician, patient_alice, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        request, token = services.send_questionnaires(
            actor=clinician,
            patient=patient_alice,
            instrument_codes=["gad7", "phq9"],
            context="check_in",
        )
    return request, token


def test_sending_emails_a_single_link_and_stores_only_its_hash(sent, mailoutbox, patient_alice):
    request, token = sent
    assert request.instrument_codes == ["phq9", "gad7"]  # registry order
    assert token not in request.token_sha256 and len(request.token_sha256) == 64
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [patient_alice.email]
    assert f"/q/{token}/" in mailoutbox[0].body
    assert "988" in mailoutbox[0].body
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.QUESTIONNAIRES_SENT, patient_id=patient_alice.pk
        ).count()
        == 1
    )


def test_a_clinician_rated_scale_cannot_be_sent_to_the_patient(clinician, patient_alice):
    with pytest.raises(ClinicError, match="rated by a clinician"):
        services.send_questionnaires(
            actor=clinician, patient=patient_alice, instrument_codes=["cadss6"], context="check_in"
        )


def test_front_desk_may_send_but_a_patient_may_not(front_desk, patient_alice, patient_bob):
    services.send_questionnaires(
        actor=front_desk, patient=patient_alice, instrument_codes=["phq9"], context="check_in"
    )
    with pytest.raises(PermissionDeniedError):
        services.send_questionnaires(
            actor=patient_bob.user,
            patient=patient_alice,
            instrument_codes=["phq9"],
            context="check_in",
        )


def test_partial_answers_are_kept_and_the_final_answers_scored(sent):
    request, token = sent
    opened = services.open_request_by_token(token)
    services.save_answer(
        request=opened, instrument_code="phq9", link_id="phq9_1", value=2, mode="patient_link"
    )
    services.save_answer(
        request=opened, instrument_code="phq9", link_id="phq9_2", value=1, mode="patient_link"
    )
    services.save_answer(
        request=opened, instrument_code="phq9", link_id="phq9_2", value=3, mode="patient_link"
    )
    response = AssessmentResponse.objects.get(request=request, instrument_code="phq9")
    assert response.status == ResponseStatus.IN_PROGRESS and response.answers == {
        "phq9_1": 2,
        "phq9_2": 3,
    }
    with pytest.raises(ClinicError, match="PHQ-9 item 3 is not answered"):
        services.submit_response(
            request=opened, instrument_code="phq9", answers=response.answers, mode="patient_link"
        )
    response, alerts = services.submit_response(
        request=opened, instrument_code="phq9", answers=phq9_answers(10), mode="patient_link"
    )
    assert (response.status, response.total, response.severity, alerts) == (
        ResponseStatus.COMPLETED,
        10,
        "moderate",
        [],
    )
    assert response.taken_at is not None


def test_a_finished_questionnaire_is_locked(sent):
    request, _token = sent
    services.submit_response(
        request=request, instrument_code="phq9", answers=phq9_answers(4), mode="patient_link"
    )
    with pytest.raises(InvalidTransitionError, match="already complete"):
        services.save_answer(
            request=request, instrument_code="phq9", link_id="phq9_1", value=3, mode="patient_link"
        )
    with pytest.raises(InvalidTransitionError):
        services.submit_response(
            request=request, instrument_code="phq9", answers=phq9_answers(20), mode="patient_link"
        )
    assert AssessmentResponse.objects.get(request=request, instrument_code="phq9").total == 4


def test_the_link_works_once_then_stops(sent):
    request, token = sent
    services.submit_response(
        request=request, instrument_code="phq9", answers=phq9_answers(4), mode="patient_link"
    )
    assert services.open_request_by_token(token).status == RequestStatus.OPEN
    services.submit_response(
        request=request, instrument_code="gad7", answers=[0] * 7, mode="patient_link"
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.completed_at is not None
    with pytest.raises(InvalidTransitionError, match="already complete"):
        services.open_request_by_token(token)


def test_an_expired_or_withdrawn_or_unknown_link_says_so(sent, clinician):
    request, token = sent
    QuestionnaireRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(InvalidTransitionError, match="expired"):
        services.open_request_by_token(token)
    QuestionnaireRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    services.cancel_questionnaire_request(actor=clinician, request=request)
    with pytest.raises(InvalidTransitionError, match="withdrew"):
        services.open_request_by_token(token)
    with pytest.raises(NotFoundError):
        services.open_request_by_token("not-a-real-token")


def test_the_link_lifetime_follows_the_clinic_policy(clinician, patient_alice):
    AssessmentPolicy.objects.update(link_valid_days=2)
    request, _ = services.send_questionnaires(
        actor=clinician, patient=patient_alice, instrument_codes=["phq9"], context="check_in"
    )
    assert timedelta(days=1, hours=23) < request.expires_at - timezone.now() <= timedelta(days=2)


def test_item_9_raises_an_urgent_alert_even_with_a_low_total(
    sent, django_capture_on_commit_callbacks, mailoutbox, patient_alice
):
    request, _ = sent
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response, alerts = services.submit_response(
            request=request,
            instrument_code="phq9",
            answers=phq9_answers(1, item9=1),
            mode="patient_link",
        )
    assert (
        response.total == 1
        and response.severity == "minimal"
        and response.flags == ["self_harm_risk"]
    )
    assert [(a.reason, a.status) for a in alerts] == [("phq9_item9", AlertStatus.OPEN)]
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.SAFETY_ALERT_RAISED, patient_id=patient_alice.pk
        ).count()
        == 1
    )
    # The on-call clinician is e-mailed a link, not the patient's answers.
    assert len(mailoutbox) == 1 and "URGENT" in mailoutbox[0].subject
    assert "section=assessments" in mailoutbox[0].body and "phq9_9" not in mailoutbox[0].body


def test_the_alert_email_goes_to_the_locations_on_call_inbox_first(
    clinician, patient_alice, location, django_capture_on_commit_callbacks, mailoutbox
):
    location.on_call_email = "oncall@clinic.test"
    location.save()
    with django_capture_on_commit_callbacks(execute=True):
        record_phq9(actor=clinician, patient=patient_alice, total=5, item9=1)
    assert mailoutbox[-1].to == ["oncall@clinic.test"]


def test_without_an_on_call_inbox_the_locations_prescribers_are_emailed(
    clinician,
    medical_director,
    nurse,
    patient_alice,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        record_phq9(actor=clinician, patient=patient_alice, total=5, item9=1)
    assert sorted(mailoutbox[-1].to) == sorted([clinician.email, medical_director.email])


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ([1, 1, 1, None, None, None, None, 0, None], None),
        ([1, 1, 1, 0, 0, 0, None], "cssrs_moderate"),
        ([1, 1, 0, 1, 0, 0, None], "cssrs_high"),
        ([0, 0, None, None, None, 1, 1], "cssrs_high"),
    ],
)
def test_a_cssrs_screen_at_moderate_or_high_risk_raises_an_alert(
    clinician, patient_alice, answers, reason
):
    keyed = dict(
        zip(
            ["cssrs_1", "cssrs_2", "cssrs_3", "cssrs_4", "cssrs_5", "cssrs_6", "cssrs_6b"],
            answers,
            strict=False,
        )
    )
    if reason is None:
        keyed = {"cssrs_1": 1, "cssrs_2": 0, "cssrs_6": 0}
    _response, alerts = services.record_staff_response(
        actor=clinician,
        patient=patient_alice,
        instrument_code="cssrs_screen",
        answers=keyed,
        taken_at=timezone.now(),
        context="check_in",
    )
    # Q1 alone is low risk: a review flag rather than an urgent alert.
    assert [a.reason for a in alerts] == ([reason] if reason else ["cssrs_low"])


def test_only_a_prescriber_resolves_an_alert_and_must_say_what_was_done(
    clinician, nurse, patient_alice
):
    response = record_phq9(actor=nurse, patient=patient_alice, total=12, item9=2)
    alert = SafetyAlert.objects.get(response=response)
    with pytest.raises(PermissionDeniedError):
        services.resolve_safety_alert(
            actor=nurse, alert=alert, actions=["assessment"], note="Seen."
        )
    with pytest.raises(ClinicError, match="at least one"):
        services.resolve_safety_alert(actor=clinician, alert=alert, actions=[], note="Seen.")
    with pytest.raises(ClinicError, match="found and decided"):
        services.resolve_safety_alert(
            actor=clinician, alert=alert, actions=["assessment"], note="  "
        )
    resolved = services.resolve_safety_alert(
        actor=clinician,
        alert=alert,
        actions=["safety_plan", "assessment"],
        note="Called; passive ideation, no plan. Safety plan reviewed.",
    )
    assert (
        resolved.status == AlertStatus.RESOLVED
        and resolved.actions == ["assessment", "safety_plan"]
        and resolved.resolved_by == clinician
    )
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.SAFETY_ALERT_RESOLVED, actor=clinician
        ).count()
        == 1
    )
    with pytest.raises(InvalidTransitionError):
        services.resolve_safety_alert(
            actor=clinician, alert=resolved, actions=["assessment"], note="again"
        )


def test_staff_entry_is_recorded_as_such(nurse, patient_alice):
    response = record_phq9(actor=nurse, patient=patient_alice, total=14)
    assert (
        response.mode == "staff_entered"
        and response.entered_by == nurse
        and response.severity == "moderate"
    )
    rating, _ = services.record_staff_response(
        actor=nurse,
        patient=patient_alice,
        instrument_code="cadss6",
        answers=[1, 2, 0, 0, 1, 0],
        taken_at=timezone.now(),
        context="post_dose",
    )
    assert rating.mode == "clinician_rated" and rating.total == 4


def test_front_desk_cannot_enter_or_read_answers(front_desk, patient_alice):
    with pytest.raises(PermissionDeniedError):
        record_phq9(actor=front_desk, patient=patient_alice, total=3)


def test_a_future_time_is_refused(nurse, patient_alice):
    with pytest.raises(ClinicError, match="future"):
        services.record_staff_response(
            actor=nurse,
            patient=patient_alice,
            instrument_code="phq9",
            answers=phq9_answers(3),
            taken_at=timezone.now() + timedelta(days=1),
            context="follow_up",
        )


def test_a_response_entered_in_error_is_kept_but_no_longer_counts(clinician, patient_alice):
    from clinic.assessments.selectors import patient_progress

    record_phq9(actor=clinician, patient=patient_alice, total=20, days_ago=10, context="baseline")
    wrong = record_phq9(actor=clinician, patient=patient_alice, total=2)
    assert patient_progress(patient_alice)[0].latest.total == 2
    services.mark_response_entered_in_error(
        actor=clinician, response=wrong, reason="Wrong patient's form"
    )
    assert patient_progress(patient_alice)[0].latest.total == 20
    wrong.refresh_from_db()
    assert wrong.status == ResponseStatus.ENTERED_IN_ERROR and wrong.answers


def test_a_response_with_an_open_alert_cannot_be_withdrawn(clinician, patient_alice):
    response = record_phq9(actor=clinician, patient=patient_alice, total=9, item9=1)
    with pytest.raises(InvalidTransitionError, match="Resolve"):
        services.mark_response_entered_in_error(actor=clinician, response=response, reason="oops")


def test_the_pcl5_cut_off_follows_the_clinic_policy(clinician, patient_alice):
    AssessmentPolicy.objects.update(pcl5_cutoff=31)
    response, _ = services.record_staff_response(
        actor=clinician,
        patient=patient_alice,
        instrument_code="pcl5",
        answers=[2] * 15 + [1] * 2 + [0] * 3,
        taken_at=timezone.now(),
        context="baseline",
    )
    assert response.total == 32 and response.severity == "probable_ptsd"


def test_staff_are_told_when_a_cssrs_answer_does_not_apply_rather_than_losing_it(
    clinician, patient_alice
):
    with pytest.raises(ClinicError, match="does not apply"):
        services.record_staff_response(
            actor=clinician,
            patient=patient_alice,
            instrument_code="cssrs_screen",
            answers={"cssrs_1": 1, "cssrs_2": 0, "cssrs_4": 1, "cssrs_6": 0},
            taken_at=timezone.now(),
            context="check_in",
        )


def test_a_patient_who_changed_question_2_to_no_is_not_held_to_a_stale_answer(
    clinician, patient_alice
):
    request, _ = services.send_questionnaires(
        actor=clinician,
        patient=patient_alice,
        instrument_codes=["cssrs_screen"],
        context="check_in",
    )
    response, alerts = services.submit_response(
        request=request,
        instrument_code="cssrs_screen",
        answers={"cssrs_1": 1, "cssrs_2": 0, "cssrs_3": 1, "cssrs_6": 0},
        mode="patient_link",
    )
    assert response.severity == "low" and "cssrs_3" not in response.answers
    # Low risk (Q1 yes): the review flag only, not the moderate alert the stale Q3 would raise.
    assert [alert.reason for alert in alerts] == ["cssrs_low"]


def test_a_time_before_the_patients_birth_is_refused(clinician, patient_alice):
    from datetime import datetime

    with pytest.raises(ClinicError, match="before the patient was born"):
        services.record_staff_response(
            actor=clinician,
            patient=patient_alice,
            instrument_code="phq9",
            answers=phq9_answers(3),
            taken_at=datetime(1900, 1, 1, tzinfo=UTC),
            context="follow_up",
        )


def test_the_medical_director_edits_which_instruments_follow_a_condition(
    medical_director, clinician, patient_alice
):
    from clinic.assessments.models import InstrumentAssignment
    from clinic.assessments.policy import instruments_for_conditions

    rule = InstrumentAssignment.objects.get(condition="trd")
    rule.instrument_codes = ["phq9", "gad7", "cssrs_screen"]
    services.save_instrument_assignment(
        actor=medical_director, assignment=rule, changed_fields=["instrument_codes"]
    )
    assert instruments_for_conditions(["trd"]) == ["phq9", "gad7", "cssrs_screen"]
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.ASSESSMENT_SETTINGS_CHANGED, actor=medical_director
        ).count()
        == 1
    )
    with pytest.raises(PermissionDeniedError):
        services.save_instrument_assignment(
            actor=clinician, assignment=rule, changed_fields=["instrument_codes"]
        )


# --- who answered: the patient's link, not staff; the clinic tablet names both -------------
def test_staff_cannot_answer_as_the_patient_through_the_link(sent, nurse, front_desk):
    request, token = sent
    opened = services.open_request_by_token(token)
    for staff in (nurse, front_desk):
        with pytest.raises(PermissionDeniedError, match="recorded as theirs"):
            services.save_answer(
                request=opened,
                instrument_code="phq9",
                link_id="phq9_9",
                value=3,
                mode="patient_link",
                actor=staff,
            )
        with pytest.raises(PermissionDeniedError):
            services.submit_response(
                request=opened,
                instrument_code="phq9",
                answers=phq9_answers(20, item9=3),
                mode="patient_link",
                actor=staff,
            )
    assert not AssessmentResponse.objects.filter(request=request).exists()
    assert not SafetyAlert.objects.exists()


def test_the_link_refused_to_staff_is_audited_naming_them_and_stays_open(sent, nurse):
    request, token = sent
    assert services.refuse_link_to_staff(actor=nurse, token=token) == request
    event = AuditEvent.objects.get(event_type=AuditEventType.QUESTIONNAIRE_LINK_REFUSED)
    assert (event.actor, event.outcome, event.patient_id) == (nurse, "denied", request.patient_id)
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN and request.expires_at > timezone.now()
    assert services.open_request_by_token(token) == request


def test_the_refusal_does_not_point_staff_of_another_location_to_the_patient(
    sent, other_location_clinician
):
    _request, token = sent
    assert services.refuse_link_to_staff(actor=other_location_clinician, token=token) is None
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.QUESTIONNAIRE_LINK_REFUSED, actor=other_location_clinician
    ).exists()


def test_the_tablet_is_handed_over_only_on_the_patients_own_date_of_birth(
    sent, nurse, front_desk, patient_alice
):
    request, _token = sent
    with pytest.raises(ClinicError, match="does not match") as wrong:
        services.hand_over_tablet(
            actor=nurse, request=request, date_of_birth=patient_alice.date_of_birth + timedelta(1)
        )
    assert wrong.value.field == "date_of_birth"
    with pytest.raises(PermissionDeniedError):
        services.hand_over_tablet(
            actor=front_desk, request=request, date_of_birth=patient_alice.date_of_birth
        )
    services.hand_over_tablet(
        actor=nurse, request=request, date_of_birth=patient_alice.date_of_birth
    )
    outcomes = list(
        AuditEvent.objects.filter(event_type=AuditEventType.QUESTIONNAIRE_TABLET_HANDED_OVER)
        .order_by("id")
        .values_list("actor__role", "outcome")
    )
    assert outcomes == [("nurse", "failed"), ("front_desk", "denied"), ("nurse", "success")]


def test_answers_on_the_clinic_tablet_name_the_patient_and_the_staff_member(sent, nurse):
    request, _token = sent
    services.save_answer(
        request=request,
        instrument_code="phq9",
        link_id="phq9_1",
        value=1,
        mode="clinic_tablet",
        actor=nurse,
    )
    response, alerts = services.submit_response(
        request=request,
        instrument_code="phq9",
        answers=phq9_answers(20, item9=3),
        mode="clinic_tablet",
        actor=nurse,
    )
    assert response.mode == "clinic_tablet" and response.handed_over_by == nurse
    assert alerts  # the patient's own answers: the safety rule applies as on the link
    for event_type in (AuditEventType.ANSWER_SAVED, AuditEventType.RESPONSE_COMPLETED):
        event = AuditEvent.objects.get(event_type=event_type)
        assert event.actor == nurse
        assert event.details["mode"] == "clinic_tablet"
        assert event.details["answered_by"] == "patient"
        assert event.details["identity_check"] == "date_of_birth"


def test_the_link_audit_names_the_patient_not_staff(sent):
    request, token = sent
    services.submit_response(
        request=services.open_request_by_token(token),
        instrument_code="gad7",
        answers=[0] * 7,
        mode="patient_link",
    )
    event = AuditEvent.objects.get(event_type=AuditEventType.RESPONSE_COMPLETED)
    assert event.actor is None and event.actor_label == "patient (questionnaire link)"
    assert AssessmentResponse.objects.get(request=request).handed_over_by is None
