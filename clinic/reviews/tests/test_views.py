"""The review pages: opening, writing, signing, addenda, the chart section; who may see them;
another location's review is a 404; bad input is refused with a message, never a 500."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.reviews.choices import ReviewStatus
from clinic.reviews.models import FollowUpReview
from clinic.reviews.tests.factories import induction_course, signed_review, written_review
from conftest import PASSWORD, client_for
from tests.integration.test_tamper_evidence import triggers_lifted, verify_records_fails

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(clinician, nurse, patient_alice):
    version, _given = induction_course(clinician, nurse, patient_alice)
    return version


def url(patient, review=None):
    if review is None:
        return f"/patients/{patient.public_id}/reviews/open/"
    return f"/patients/{patient.public_id}/reviews/{review.public_id}/"


def form(**changes):
    data = {
        "kind": "phone",
        "concerns": "Headache the evening after.",
        "assessment": "Responding; headaches manageable.",
        "decision": "to_maintenance",
        "decision_reason": "Response after six infusions.",
        "new_interval_days": "21",
        "action": "save",
    }
    data.update(changes)
    return data


def test_a_clinician_opens_writes_and_signs_a_review(clinician, patient_alice, course):
    client = client_for(clinician)
    chart = client.get(f"/patients/{patient_alice.public_id}/?section=reviews").content.decode()
    assert "Open a review" in chart
    opened = client.post(url(patient_alice), {"kind": "video"})
    review = FollowUpReview.objects.get(patient=patient_alice)
    assert opened.status_code == 302 and opened["Location"] == url(patient_alice, review)
    page = client.get(url(patient_alice, review)).content.decode()
    assert 'id="review-facts"' in page and "PHQ-9" in page and "6 given" in page
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.REVIEW_VIEWED, target_id=str(review.pk)
    ).exists()
    assert client.post(url(patient_alice, review), form()).status_code == 302
    signed = client.post(url(patient_alice, review), form(action="sign", password=PASSWORD))
    assert signed.status_code == 302
    review.refresh_from_db()
    assert review.status == "signed" and review.kind == "phone"
    assert review.plan_draft.values["maintenance_interval_days"] == 21
    page = client.get(url(patient_alice, review)).content.decode()
    assert 'id="review-signed"' in page and 'id="review-plan-draft"' in page
    assert "does not match its signature" not in page
    chart = client.get(f"/patients/{patient_alice.public_id}/?section=reviews").content.decode()
    assert 'id="reviews-list"' in chart and "Move from induction to maintenance" in chart
    assert 'id="reviews-due"' in chart


def test_a_wrong_password_or_a_missing_value_is_shown_beside_its_field(
    clinician, patient_alice, course
):
    review = written_review(clinician, patient_alice)
    client = client_for(clinician)
    wrong = client.post(url(patient_alice, review), form(action="sign", password="nope"))
    assert wrong.status_code == 400 and "That password is not right" in wrong.content.decode()
    missing = client.post(
        url(patient_alice, review),
        form(action="sign", password=PASSWORD, decision="adjust_dose"),
    )
    assert missing.status_code == 400
    assert "Give the new dose" in missing.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS


@pytest.mark.parametrize(
    "changes",
    [
        {"decision": "delete_everything"},
        {"kind": "telepathy"},
        {"new_dose": "-1"},
        {"new_dose": "lots"},
        {"new_interval_days": "100000"},
        {"booster_sessions": "0"},
        {"assessment": "x" * 10_001},
        {"action": "explode"},
    ],
)
def test_bad_input_is_refused_with_a_message(clinician, patient_alice, course, changes):
    review = written_review(clinician, patient_alice)
    response = client_for(clinician).post(url(patient_alice, review), form(**changes))
    assert response.status_code in (400, 404)


def test_bad_open_requests_are_refused(clinician, patient_alice, course):
    client = client_for(clinician)
    assert client.post(url(patient_alice), {"kind": "telepathy"}).status_code == 302
    assert client.post(url(patient_alice), {"kind": "video", "follow_up": "x"}).status_code == 302
    assert (
        client.post(
            url(patient_alice), {"kind": "video", "follow_up": str(uuid.uuid4())}
        ).status_code
        == 404
    )
    assert not FollowUpReview.objects.exists()
    assert client.get(url(patient_alice)).status_code == 405


def test_nurses_read_and_do_not_write(nurse, clinician, patient_alice, course):
    review = written_review(clinician, patient_alice)
    client = client_for(nurse)
    page = client.get(url(patient_alice, review))
    assert page.status_code == 200 and 'id="review-form"' not in page.content.decode()
    assert client.post(url(patient_alice, review), form()).status_code == 403
    assert client.post(url(patient_alice), {"kind": "video"}).status_code == 403


def test_front_desk_and_patients_never_see_reviews(front_desk, clinician, patient_alice, course):
    review = written_review(clinician, patient_alice)
    for user in (front_desk, patient_alice.user):
        if user is None:
            continue
        assert client_for(user).get(url(patient_alice, review)).status_code == 403
        chart = client_for(user).get(f"/patients/{patient_alice.public_id}/?section=reviews")
        assert "Follow-up reviews" not in chart.content.decode()


def test_another_locations_review_is_not_found(
    other_location_clinician, clinician, patient_alice, patient_bob, course
):
    review = written_review(clinician, patient_alice)
    client = client_for(other_location_clinician)
    assert client.get(url(patient_alice, review)).status_code == 404
    assert client.post(url(patient_alice, review), form()).status_code == 404
    # Alice's review under Bob's address is no review of Bob's.
    assert client_for(clinician).get(url(patient_bob, review)).status_code == 404
    assert (
        client_for(clinician)
        .get(f"/patients/{patient_alice.public_id}/reviews/{uuid.uuid4()}/")
        .status_code
        == 404
    )


def test_addenda_are_signed_after_signing(clinician, patient_alice, course):
    review = signed_review(clinician, patient_alice)
    client = client_for(clinician)
    assert (
        client.post(url(patient_alice, review), {"action": "addendum", "text": ""}).status_code
        == 400
    )
    added = client.post(
        url(patient_alice, review),
        {"action": "addendum", "text": "Spoke to the GP.", "password": PASSWORD},
    )
    assert added.status_code == 302
    review.refresh_from_db()
    assert review.status == "amended" and review.addenda.count() == 1
    # A signed review is not saved again through its form.
    assert client.post(url(patient_alice, review), form()).status_code == 302
    review.refresh_from_db()
    assert review.decision == "continue"


# --- sealed in the database, and checked when shown -------------------------------------
def refused(sql, params):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_the_database_refuses_to_change_a_signed_review(clinician, patient_alice, course):
    review = signed_review(clinician, patient_alice)
    assert refused("UPDATE reviews_followupreview SET assessment = 'x' WHERE id = %s", [review.pk])
    assert refused("UPDATE reviews_followupreview SET facts = '{}' WHERE id = %s", [review.pk])
    assert refused("DELETE FROM reviews_followupreview WHERE id = %s", [review.pk])
    open_one = written_review(clinician, patient_alice)
    assert not refused(
        "UPDATE reviews_followupreview SET assessment = 'draft' WHERE id = %s", [open_one.pk]
    )


def test_a_rewritten_review_is_flagged_when_shown_and_by_verify_records(
    clinician, medical_director, patient_alice, course
):
    review = signed_review(clinician, patient_alice)
    with triggers_lifted():
        FollowUpReview.objects.filter(pk=review.pk).update(decision="end_treatment")
    page = client_for(medical_director).get(url(patient_alice, review)).content.decode()
    assert "does not match its signature" in page
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.RECORD_SEAL_BROKEN, target_id=str(review.pk)
    ).exists()
    assert f"follow-up review {review.pk}:" in verify_records_fails()


def test_a_review_that_falls_due_is_on_the_follow_up_list(clinician, patient_alice, course):
    from clinic.reviews.scheduling import after_session_locked
    from clinic.sessions.models import TreatmentSession

    after_session_locked(TreatmentSession.objects.filter(patient=patient_alice).last())
    page = client_for(clinician).get("/follow-ups/").content.decode()
    assert "Follow-up review" in page and "Review after the induction series" in page
    assert f"/patients/{patient_alice.public_id}/?section=reviews" in page
