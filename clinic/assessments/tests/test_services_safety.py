"""Safety alerts raised the moment an answer is saved, once per response, and the review flags
(C-SSRS low risk, ASRM at its cut-off) that hold dosing without paging the on-call clinician."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from clinic.assessments import services
from clinic.assessments.models import SafetyAlert
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from conftest import client_for

pytestmark = pytest.mark.django_db


def _request(clinician, patient, codes):
    request, _token = services.send_questionnaires(
        actor=clinician, patient=patient, instrument_codes=codes, context="pre_session"
    )
    return request


def _save(request, code, link_id, value):
    return services.save_answer(
        request=request, instrument_code=code, link_id=link_id, value=value, mode="patient_link"
    )


def test_an_unsubmitted_item_9_answer_alerts_once(
    clinician, patient_alice, django_capture_on_commit_callbacks
):
    request = _request(clinician, patient_alice, ["phq9"])
    _save(request, "phq9", "phq9_1", 0)
    assert not SafetyAlert.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = _save(request, "phq9", "phq9_9", 2)
    alert = SafetyAlert.objects.get()
    assert (alert.reason, alert.status, alert.response_id) == ("phq9_item9", "open", response.pk)
    assert response.status == "in-progress"  # never submitted
    assert len(mail.outbox) == 1 and "URGENT" in mail.outbox[0].subject
    raised = AuditEvent.objects.get(event_type=AuditEventType.SAFETY_ALERT_RAISED)
    assert raised.details == {"reason": "phq9_item9", "while_answering": True}

    # Changed to 0 and back, then submitted: still the one alert.
    _save(request, "phq9", "phq9_9", 0)
    _save(request, "phq9", "phq9_9", 3)
    answers = {f"phq9_{n}": 0 for n in range(1, 9)} | {"phq9_9": 3}
    _response, alerts = services.submit_response(
        request=request, instrument_code="phq9", answers=answers, mode="patient_link"
    )
    assert alerts == []
    assert SafetyAlert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_item_9_at_0_raises_nothing(clinician, patient_alice):
    request = _request(clinician, patient_alice, ["phq9"])
    _save(request, "phq9", "phq9_9", 0)
    assert not SafetyAlert.objects.exists()


@pytest.mark.parametrize(
    ("answers", "reasons"),
    [
        pytest.param([("cssrs_1", 1)], ["cssrs_low"], id="Q1-review-flag"),
        pytest.param([("cssrs_1", 0), ("cssrs_2", 1)], ["cssrs_low"], id="Q2-review-flag"),
        pytest.param(
            [("cssrs_1", 0), ("cssrs_2", 1), ("cssrs_3", 1)],
            ["cssrs_low", "cssrs_moderate"],
            id="Q3-moderate-urgent",
        ),
        pytest.param(
            [("cssrs_1", 0), ("cssrs_2", 1), ("cssrs_4", 1)],
            ["cssrs_high", "cssrs_low"],
            id="Q4-high-urgent",
        ),
        pytest.param([("cssrs_1", 0), ("cssrs_2", 0)], [], id="no-yes"),
    ],
)
def test_a_cssrs_answer_alerts_when_saved(clinician, patient_alice, answers, reasons):
    request = _request(clinician, patient_alice, ["cssrs_screen"])
    for link_id, value in answers:
        _save(request, "cssrs_screen", link_id, value)
    assert sorted(SafetyAlert.objects.values_list("reason", flat=True)) == reasons


def test_a_cssrs_answer_that_no_longer_applies_raises_nothing(clinician, patient_alice):
    request = _request(clinician, patient_alice, ["cssrs_screen"])
    _save(request, "cssrs_screen", "cssrs_2", 0)
    # Q3 is only asked after a "yes" to Q2: a stale answer to it is not read.
    _save(request, "cssrs_screen", "cssrs_3", 1)
    assert not SafetyAlert.objects.exists()


def test_a_review_flag_is_not_sent_to_the_on_call_clinician(
    clinician, patient_alice, django_capture_on_commit_callbacks
):
    request = _request(clinician, patient_alice, ["cssrs_screen"])
    with django_capture_on_commit_callbacks(execute=True):
        _save(request, "cssrs_screen", "cssrs_1", 1)
    alert = SafetyAlert.objects.get()
    assert alert.reason == "cssrs_low" and not alert.is_urgent
    assert mail.outbox == []


def test_an_asrm_at_its_cut_off_raises_the_review_flag(clinician, patient_alice):
    request = _request(clinician, patient_alice, ["asrm"])
    _save(request, "asrm", "asrm_1", 3)
    _save(request, "asrm", "asrm_2", 2)
    assert not SafetyAlert.objects.exists()  # 5: below the cut-off of 6
    _save(request, "asrm", "asrm_3", 1)
    alert = SafetyAlert.objects.get()
    assert alert.reason == "asrm_mania" and not alert.is_urgent


def test_the_clinician_dashboard_lists_an_unsubmitted_item_9_alert(clinician, patient_alice):
    request = _request(clinician, patient_alice, ["phq9"])
    _save(request, "phq9", "phq9_9", 1)
    page = client_for(clinician).get("/dashboard/")
    assert "PHQ-9 item 9" in page.content.decode()
    alert = SafetyAlert.objects.get()
    detail = client_for(clinician).get(reverse("assessments:alert", args=[alert.public_id]))
    assert "has not been submitted" in detail.content.decode()
