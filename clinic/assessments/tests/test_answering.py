"""A patient answers on their phone, by link or in the portal; staff read and act on the result."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from clinic.assessments import services
from clinic.assessments.models import AssessmentResponse, QuestionnaireRequest, SafetyAlert
from clinic.assessments.tests.factories import phq9_answers, record_phq9
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from conftest import client_for


@pytest.fixture
def link(clinician, patient_alice):
    request, token = services.send_questionnaires(
        actor=clinician, patient=patient_alice, instrument_codes=["phq9"], context="check_in"
    )
    return request, f"/q/{token}/"


def test_the_link_opens_without_signing_in_and_is_audited(client, link, patient_alice):
    _request, url = link
    page = client.get(url).content.decode()
    assert "Hello Alice" in page and "Start PHQ-9" in page
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.QUESTIONNAIRE_OPENED, patient_id=patient_alice.pk
        ).count()
        == 1
    )


def test_each_answer_is_saved_as_chosen_and_survives_a_reload(client, link):
    _request, url = link
    response = client.post(
        f"{url}phq9/save/", {"link_id": "phq9_1", "phq9_1": "2"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Saved" in response.content.decode()
    page = client.get(f"{url}phq9/").content.decode()
    assert re.search(r'name="phq9_1" value="2"\s+checked', page)


def test_a_bad_saved_answer_is_refused_with_a_message(client, link):
    _request, url = link
    assert client.post(f"{url}phq9/save/", {"link_id": "phq9_1", "phq9_1": "7"}).status_code == 400
    assert client.post(f"{url}phq9/save/", {"link_id": "phq9_1", "phq9_1": "x"}).status_code == 400
    assert client.post(f"{url}phq9/save/", {"link_id": "nope", "nope": "1"}).status_code == 400


def test_submitting_an_incomplete_form_names_the_missing_question_and_keeps_the_answers(
    client, link
):
    _request, url = link
    response = client.post(f"{url}phq9/", {"phq9_1": "3", "phq9_2": "1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "PHQ-9 item 3 is not answered." in page
    assert "(phq9_3)" not in page  # the item's code is not for people
    assert re.search(r'name="phq9_1" value="3"\s+checked', page)


def test_a_complete_submission_is_scored_and_the_link_closes(client, link, patient_alice):
    request, url = link
    data = {k: str(v) for k, v in phq9_answers(12).items()}
    response = client.post(f"{url}phq9/", data)
    assert response.status_code == 302
    stored = AssessmentResponse.objects.get(request=request)
    assert stored.total == 12 and stored.mode == "patient_link"
    page = client.get(url)
    assert page.status_code == 410 and "already complete" in page.content.decode()


def test_an_item_9_answer_shows_crisis_resources_at_once_and_alerts_staff(
    client, link, clinician, patient_alice
):
    _request, url = link
    data = {k: str(v) for k, v in phq9_answers(3, item9=1).items()}
    page = client.post(f"{url}phq9/", data).content.decode()
    assert "988" in page and "call 911" in page and "Thank you for telling us" in page
    alert = SafetyAlert.objects.get(patient=patient_alice)
    dashboard = client_for(clinician).get("/dashboard/").content.decode()
    assert "PHQ-9 item 9" in dashboard and patient_alice.display_name in dashboard
    chart = client_for(clinician).get(f"/patients/{patient_alice.public_id}/").content.decode()
    assert "Urgent safety alert" in chart and str(alert.public_id) in chart


def test_an_expired_link_gets_a_clear_page(client, link):
    request, url = link
    QuestionnaireRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = client.get(url)
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert client.get("/q/made-up-token/").status_code == 404


def test_a_patient_answers_in_the_portal(patient_alice, link):
    request, _url = link
    client = client_for(patient_alice.user)
    record = client.get("/patients/me/").content.decode()
    assert "Answer now" in record
    data = {k: str(v) for k, v in phq9_answers(6).items()}
    response = client.post(f"/portal/questionnaires/{request.public_id}/phq9/", data)
    assert response.status_code == 302
    stored = AssessmentResponse.objects.get(request=request)
    assert stored.mode == "patient_portal"
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.RESPONSE_COMPLETED, actor=patient_alice.user
        ).count()
        == 1
    )


def test_a_patient_cannot_open_another_patients_questionnaires(patient_bob, link):
    request, _url = link
    assert (
        client_for(patient_bob.user).get(f"/portal/questionnaires/{request.public_id}/").status_code
        == 404
    )


def test_the_clinician_sees_the_score_and_the_chart(clinician, patient_alice):
    record_phq9(actor=clinician, patient=patient_alice, total=20, days_ago=21, context="baseline")
    record_phq9(actor=clinician, patient=patient_alice, total=9, days_ago=7)
    record_phq9(actor=clinician, patient=patient_alice, total=4)
    page = (
        client_for(clinician)
        .get(f"/patients/{patient_alice.public_id}/?section=assessments")
        .content.decode()
    )
    assert 'class="progress-chart"' in page and page.count('class="score-point"') == 3
    assert "Response" in page and "Remission" in page
    assert "-16 (-80 %)" in page


def test_the_chart_says_remission_does_not_apply_when_the_baseline_was_already_below(
    clinician, patient_alice
):
    record_phq9(actor=clinician, patient=patient_alice, total=4, days_ago=14, context="baseline")
    record_phq9(actor=clinician, patient=patient_alice, total=3)
    page = (
        client_for(clinician)
        .get(f"/patients/{patient_alice.public_id}/?section=assessments")
        .content.decode()
    )
    assert "Remission not applicable: started below" in page
    assert ">Remission</span>" not in page
    # Each badge carries its definition, and the definitions are printed under the card.
    assert "Remission: a latest score below 5" in page
    assert "Response: a fall of at least 50 % from baseline." in page
    assert "The baseline of 4 was already below 5, so remission does not apply." in page
    assert "Answers cover the last 2 weeks." in page


def test_a_worsening_score_shows_each_badge_with_its_definition(clinician, patient_alice):
    record_phq9(actor=clinician, patient=patient_alice, total=10, days_ago=14, context="baseline")
    record_phq9(actor=clinician, patient=patient_alice, total=16)
    page = (
        client_for(clinician)
        .get(f"/patients/{patient_alice.public_id}/?section=assessments")
        .content.decode()
    )
    worsening = "Worsening: a rise of at least 5 points from baseline or from the score before."
    assert f'title="{worsening}">Worsening</span>' in page
    assert 'title="Response: a fall of at least 50 % from baseline.">No response yet</span>' in page
    # Remission applies (the baseline of 10 was above the cut-off) and is not reached.
    assert ">No remission yet</span>" in page and "Remission not applicable" not in page
    # Printed under the card too, not only on hover.
    definitions = page.split('class="muted small outcome-definitions">')[1].split("</p>")[0]
    for definition in ("Response: a fall of at least 50 %", "Remission: a latest score below 5"):
        assert definition in definitions
    assert worsening in definitions


def test_front_desk_can_send_but_sees_no_scores(front_desk, clinician, patient_alice):
    record_phq9(actor=clinician, patient=patient_alice, total=20)
    page = (
        client_for(front_desk)
        .get(f"/patients/{patient_alice.public_id}/?section=assessments")
        .content.decode()
    )
    assert "Send link" in page and "progress-chart" not in page and "All questionnaires" not in page


def test_staff_enter_a_paper_form(nurse, patient_alice):
    client = client_for(nurse)
    assert (
        "Little interest or pleasure"
        in client.get(
            f"/patients/{patient_alice.public_id}/questionnaires/enter/phq9/"
        ).content.decode()
    )
    data = {k: str(v) for k, v in phq9_answers(15).items()} | {
        # The form reads the time in the zone of the nurse's location.
        "taken_at": timezone.localtime(timezone.now(), ZoneInfo("America/New_York")).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "context": "follow_up",
    }
    response = client.post(f"/patients/{patient_alice.public_id}/questionnaires/enter/phq9/", data)
    assert response.status_code == 302
    assert AssessmentResponse.objects.get().severity == "moderately_severe"


def test_a_nurse_cannot_resolve_an_alert_but_a_clinician_can(nurse, clinician, patient_alice):
    response = record_phq9(actor=nurse, patient=patient_alice, total=8, item9=1)
    alert = SafetyAlert.objects.get(response=response)
    url = f"/assessments/alerts/{alert.public_id}/"
    assert client_for(nurse).post(url, {"actions": ["assessment"], "note": "x"}).status_code == 403
    bad = client_for(clinician).post(url, {"note": "Called."})
    assert bad.status_code == 400 and "Called." in bad.content.decode()
    done = client_for(clinician).post(
        url, {"actions": ["assessment", "follow_up_booked"], "note": "Called; no plan or intent."}
    )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_sending_from_the_chart_shows_the_link_once(clinician, patient_alice):
    client = client_for(clinician)
    response = client.post(
        f"/patients/{patient_alice.public_id}/questionnaires/send/",
        {"instrument_codes": ["phq9", "gad7"], "context": "check_in"},
        follow=True,
    )
    page = response.content.decode()
    assert "Questionnaires sent" in page and "/q/" in page
    assert QuestionnaireRequest.objects.get().instrument_codes == ["phq9", "gad7"]


def test_the_assessments_section_runs_a_fixed_number_of_queries(
    clinician, patient_alice, django_assert_max_num_queries
):
    for days in range(50):
        record_phq9(actor=clinician, patient=patient_alice, total=days % 25, days_ago=days)
    client = client_for(clinician)
    client.get("/dashboard/")
    # 24: the possible-relapse banner's one read of the progress summaries, the side-effect
    # banner's one, the consent summary's read of the plan's routes (version and draft), and the
    # plan's goals shown beside the scores (one read of the current version).
    # PostgreSQL runs one more (measured: 25 there; not yet traced to its query).
    with django_assert_max_num_queries(24 + (connection.vendor == "postgresql")):
        response = client.get(f"/patients/{patient_alice.public_id}/?section=assessments")
    assert response.content.decode().count('class="score-point"') == 50


def test_the_link_pages_are_never_stored_by_a_browser_or_proxy(client, link):
    """Opened without signing in, but they show the patient's name and answers."""
    _request, url = link
    start = client.get(url)
    form = client.get(f"{url}phq9/")
    saved = client.post(f"{url}phq9/save/", {"link_id": "phq9_1", "phq9_1": "2"})
    for response in (start, form, saved):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
    assert "no-store" in client.get("/q/made-up-token/")["Cache-Control"]


# --- staff and the patient's link; the clinic tablet ---------------------------------------
@pytest.mark.parametrize("who", ["front_desk", "nurse", "clinician"])
def test_staff_signed_in_on_the_patients_link_are_refused_and_the_link_stays_usable(
    who, request, client, link, patient_alice
):
    questionnaires, url = link
    staff = request.getfixturevalue(who)
    staff_client = client_for(staff)
    page = staff_client.get(url)
    body = page.content.decode()
    assert page.status_code == 403
    assert "This link is for the patient" in body and "Little interest" not in body
    saved = staff_client.post(f"{url}phq9/save/", {"link_id": "phq9_9", "phq9_9": "3"})
    submitted = staff_client.post(f"{url}phq9/", {k: str(v) for k, v in phq9_answers(20).items()})
    assert saved.status_code == 403 and submitted.status_code == 403
    assert not AssessmentResponse.objects.filter(request=questionnaires).exists()
    assert not SafetyAlert.objects.exists()
    refusals = AuditEvent.objects.filter(
        event_type=AuditEventType.QUESTIONNAIRE_LINK_REFUSED, actor=staff, outcome="denied"
    )
    assert refusals.count() == 3 and refusals.first().patient_id == patient_alice.pk
    assert not AuditEvent.objects.filter(event_type=AuditEventType.QUESTIONNAIRE_OPENED).exists()
    # Not used up, not expired: the patient's own visit still opens it.
    assert client.get(url).status_code == 200
    questionnaires.refresh_from_db()
    assert questionnaires.status == "open"


def test_the_refusal_points_clinical_staff_to_the_chart_and_front_desk_to_nobodys_answers(
    link, nurse, front_desk
):
    _questionnaires, url = link
    nurse_page = client_for(nurse).get(url).content.decode()
    assert "Enter answers" in nurse_page and "Hand the tablet to the patient" in nurse_page
    desk_page = client_for(front_desk).get(url).content.decode()
    assert "Enter answers" not in desk_page and "Hand the tablet" not in desk_page


def test_front_desk_sends_questionnaires_without_seeing_the_link(
    front_desk, patient_alice, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(front_desk).post(
            f"/patients/{patient_alice.public_id}/questionnaires/send/",
            {"instrument_codes": ["phq9"], "context": "check_in"},
            follow=True,
        )
    page = response.content.decode()
    assert f"Questionnaires sent and e-mailed to {patient_alice.email}." in page
    assert "/q/" not in page
    assert len(mailoutbox) == 1 and "/q/" in mailoutbox[0].body


def _tablet_url(questionnaires, suffix=""):
    return f"/assessments/requests/{questionnaires.public_id}/tablet/{suffix}"


def test_the_clinic_tablet_is_handed_over_after_the_patient_confirms_their_date_of_birth(
    link, nurse, patient_alice
):
    questionnaires, _url = link
    client = client_for(nurse)
    chart = client.get(f"/patients/{patient_alice.public_id}/?section=assessments")
    assert _tablet_url(questionnaires) in chart.content.decode()
    # Not handed over yet: the answering pages send the tablet to the hand-over.
    assert client.get(_tablet_url(questionnaires, "answer/")).url == _tablet_url(questionnaires)
    page = client.get(_tablet_url(questionnaires))
    assert "please confirm your date of birth" in page.content.decode()

    wrong = client.post(_tablet_url(questionnaires), {"date_of_birth": "1901-01-01"})
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    assert client.get(_tablet_url(questionnaires, "answer/")).status_code == 302
    confirmed = client.post(
        _tablet_url(questionnaires), {"date_of_birth": patient_alice.date_of_birth.isoformat()}
    )
    assert confirmed.status_code == 302 and confirmed.url == _tablet_url(questionnaires, "answer/")
    handed = AuditEvent.objects.filter(
        event_type=AuditEventType.QUESTIONNAIRE_TABLET_HANDED_OVER, actor=nurse
    )
    assert [e.outcome for e in handed.order_by("id")] == ["failed", "success"]

    start = client.get(confirmed.url).content.decode()
    assert "Hello Alice" in start and "This link works until" not in start
    saved = client.post(
        _tablet_url(questionnaires, "answer/phq9/save/"), {"link_id": "phq9_1", "phq9_1": "2"}
    )
    assert saved.status_code == 200
    answers = {k: str(v) for k, v in phq9_answers(20, item9=3).items()}
    done = client.post(_tablet_url(questionnaires, "answer/phq9/"), answers)
    assert done.status_code == 200 and "988" in done.content.decode()  # the crisis page

    stored = AssessmentResponse.objects.get(request=questionnaires)
    assert stored.mode == "clinic_tablet" and stored.handed_over_by == nurse
    assert stored.entered_by is None
    assert SafetyAlert.objects.filter(response=stored).exists()
    completed = AuditEvent.objects.get(event_type=AuditEventType.RESPONSE_COMPLETED)
    assert completed.actor == nurse
    assert completed.details["mode"] == "clinic_tablet"
    assert completed.details["answered_by"] == "patient"
    assert completed.details["identity_check"] == "date_of_birth"
    detail = client.get(f"/assessments/responses/{stored.public_id}/").content.decode()
    assert "Patient, on the clinic tablet" in detail and "handed over by" in detail


def test_a_hand_over_is_for_the_staff_member_who_made_it(link, nurse, patient_alice, location):
    from clinic.accounts.choices import Role
    from clinic.accounts.tests.factories import UserFactory

    questionnaires, _url = link
    client = client_for(nurse)
    client.post(
        _tablet_url(questionnaires), {"date_of_birth": patient_alice.date_of_birth.isoformat()}
    )
    other = UserFactory(role=Role.NURSE, full_name="Nurse Nadia")
    other.locations.set([location])
    assert client_for(other).get(_tablet_url(questionnaires, "answer/")).status_code == 302


def test_front_desk_does_not_hand_over_the_tablet(link, front_desk, patient_alice):
    questionnaires, _url = link
    client = client_for(front_desk)
    assert client.get(_tablet_url(questionnaires)).status_code == 403
    posted = client.post(
        _tablet_url(questionnaires), {"date_of_birth": patient_alice.date_of_birth.isoformat()}
    )
    assert posted.status_code == 403
    assert client.get(_tablet_url(questionnaires, "answer/")).status_code == 403
    chart = client.get(f"/patients/{patient_alice.public_id}/?section=assessments")
    assert "Hand the tablet" not in chart.content.decode()
