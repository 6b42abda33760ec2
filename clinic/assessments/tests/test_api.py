"""The assessments JSON API: instruments as data, scoring, responses, progress, and who may see what.

Results are for clinical roles only (medical director, clinician, nurse); front desk and patients
get 403, staff of another location 404 (they must not learn the patient exists). Every read of a
patient's questionnaires is an audited chart view.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from clinic.assessments.choices import ResponseMode, ResponseStatus
from clinic.assessments.models import AssessmentPolicy, AssessmentResponse
from clinic.assessments.services import record_staff_response
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from conftest import client_for

ALL_CODES = [
    "phq9",
    "qids_sr16",
    "madrs",
    "gad7",
    "pcl5",
    "pain_nrs",
    "bpi_sf",
    "ybocs",
    "mdq",
    "asrm",
    "cssrs_screen",
    "cadss6",
]
PHQ9_EXAMPLE = [1, 2, 0, 3, 1, 0, 2, 1, 0]  # total 10, moderate


def phq9_answers(values=PHQ9_EXAMPLE) -> dict[str, int | None]:
    return {f"phq9_{n}": value for n, value in enumerate(values, start=1)}


def post_json(client: Client, url: str, payload: dict):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def responses_url(patient) -> str:
    return f"/api/v1/patients/{patient.public_id}/responses"


def progress_url(patient) -> str:
    return f"/api/v1/patients/{patient.public_id}/progress"


def chart_views(patient, section: str | None = None):
    views = AuditEvent.objects.filter(
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        patient_id=patient.pk,
        outcome=AuditOutcome.SUCCESS,
    )
    return views.filter(details__section=section) if section else views


def staff_phq9(actor, patient, values, *, days_ago: int, context: str = "follow_up"):
    response, _alerts = record_staff_response(
        actor=actor,
        patient=patient,
        instrument_code="phq9",
        answers=phq9_answers(values),
        taken_at=timezone.now() - timedelta(days=days_ago),
        context=context,
    )
    return response


# --- Instruments -----------------------------------------------------------------------------------


def test_the_instrument_list_declares_every_instrument_with_items_options_and_loinc(nurse):
    body = client_for(nurse).get("/api/v1/instruments").json()
    assert [instrument["code"] for instrument in body] == ALL_CODES
    for instrument in body:
        assert instrument["items"], instrument["code"]
        assert instrument["bands"], instrument["code"]
        assert instrument["source"], instrument["code"]
        for item in instrument["items"]:
            assert item["options"], item["link_id"]
    phq9 = body[0]
    assert phq9["short_name"] == "PHQ-9"
    assert phq9["loinc_panel"] == "44249-1"
    assert phq9["loinc_total"] == "44261-6"
    assert [item["link_id"] for item in phq9["items"]] == [f"phq9_{n}" for n in range(1, 11)]
    first = phq9["items"][0]
    assert first["loinc"] == "44250-9"
    assert first["required"] is True and first["scored"] is True
    assert [(o["value"], o["label"], o["loinc"]) for o in first["options"]] == [
        (0, "Not at all", "LA6568-5"),
        (1, "Several days", "LA6569-3"),
        (2, "More than half the days", "LA6570-1"),
        (3, "Nearly every day", "LA6571-9"),
    ]
    difficulty = phq9["items"][9]
    assert difficulty["loinc"] == "69722-7"
    assert difficulty["scored"] is False and difficulty["required"] is False


def test_one_instrument_with_its_skip_logic(clinician):
    client = client_for(clinician)
    body = client.get("/api/v1/instruments/phq9").json()
    assert body["code"] == "phq9" and len(body["items"]) == 10
    assert [band["code"] for band in body["bands"]] == [
        "minimal",
        "mild",
        "moderate",
        "moderately_severe",
        "severe",
    ]
    cssrs = client.get("/api/v1/instruments/cssrs_screen").json()
    by_id = {item["link_id"]: item for item in cssrs["items"]}
    assert by_id["cssrs_1"]["enabled_when"] is None
    assert by_id["cssrs_3"]["enabled_when"] == {"link_id": "cssrs_2", "values": [1]}


def test_an_unknown_instrument_is_404(clinician):
    client = client_for(clinician)
    response = client.get("/api/v1/instruments/beck")
    assert response.status_code == 404 and "beck" in response.json()["detail"]
    response = post_json(client, "/api/v1/instruments/beck/score", {"answers": {}})
    assert response.status_code == 404


# --- Scoring ---------------------------------------------------------------------------------------


def test_scoring_phq9_by_link_id(clinician):
    response = post_json(
        client_for(clinician), "/api/v1/instruments/phq9/score", {"answers": phq9_answers()}
    )
    assert response.status_code == 200
    body = response.json()
    assert Decimal(body["total"]) == 10
    assert body["severity"] == "moderate"
    assert body["subscales"] == {}
    assert body["flags"] == []


def test_any_answer_to_phq9_item_9_flags_self_harm_risk(clinician):
    answers = phq9_answers([1, 2, 0, 3, 1, 0, 2, 1, 1]) | {"phq9_10": None}
    body = post_json(
        client_for(clinician), "/api/v1/instruments/phq9/score", {"answers": answers}
    ).json()
    assert Decimal(body["total"]) == 11
    assert body["flags"] == ["self_harm_risk"]


def test_scoring_returns_subscales(nurse):
    answers = {f"pcl5_{n}": 2 for n in range(1, 21)}
    body = post_json(client_for(nurse), "/api/v1/instruments/pcl5/score", {"answers": answers})
    body = body.json()
    assert Decimal(body["total"]) == 40
    assert body["severity"] == "probable_ptsd"
    assert {k: Decimal(v) for k, v in body["subscales"].items()} == {
        "B": 10,
        "C": 4,
        "D": 14,
        "E": 12,
    }
    assert body["flags"] == ["provisional_ptsd_dsm5"]


def test_an_incomplete_answer_set_is_422_naming_the_item(clinician):
    answers = phq9_answers()
    del answers["phq9_5"]
    response = post_json(
        client_for(clinician), "/api/v1/instruments/phq9/score", {"answers": answers}
    )
    assert response.status_code == 422
    assert "phq9_5" in response.json()["detail"]
    answers["phq9_5"] = None
    response = post_json(
        client_for(clinician), "/api/v1/instruments/phq9/score", {"answers": answers}
    )
    assert response.status_code == 422 and "phq9_5" in response.json()["detail"]


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        (phq9_answers() | {"phq9_3": 4}, "phq9_3"),  # out of range
        (phq9_answers() | {"phq9_3": -1}, "phq9_3"),
        (phq9_answers() | {"phq9_10": 4}, "phq9_10"),  # the unscored item is checked too
        (phq9_answers() | {"phq9_11": 0}, "phq9_11"),  # no such item
    ],
    ids=["too-high", "negative", "unscored-item", "unknown-item"],
)
def test_an_invalid_answer_is_422_naming_the_item(clinician, answers, item):
    response = post_json(
        client_for(clinician), "/api/v1/instruments/phq9/score", {"answers": answers}
    )
    assert response.status_code == 422
    assert item in response.json()["detail"]


def test_an_answer_that_is_not_a_whole_number_is_422(clinician):
    response = post_json(
        client_for(clinician),
        "/api/v1/instruments/phq9/score",
        {"answers": phq9_answers() | {"phq9_1": "often"}},
    )
    assert response.status_code == 422


def test_an_answer_skipped_by_the_cssrs_logic_must_stay_blank(clinician):
    answers = {"cssrs_1": 1, "cssrs_2": 0, "cssrs_3": 1, "cssrs_6": 0}
    response = post_json(
        client_for(clinician), "/api/v1/instruments/cssrs_screen/score", {"answers": answers}
    )
    assert response.status_code == 422 and "cssrs_3" in response.json()["detail"]


# --- Authentication and roles --------------------------------------------------------------------


def test_anonymous_calls_get_401(patient_alice):
    client = Client()
    assert client.get("/api/v1/instruments").status_code == 401
    assert client.get("/api/v1/instruments/phq9").status_code == 401
    response = post_json(client, "/api/v1/instruments/phq9/score", {"answers": phq9_answers()})
    assert response.status_code == 401
    assert client.get(responses_url(patient_alice)).status_code == 401
    assert client.get(progress_url(patient_alice)).status_code == 401
    assert client.get(f"/api/v1/responses/{uuid.uuid4()}").status_code == 401
    response = post_json(
        client,
        responses_url(patient_alice),
        {
            "instrument_code": "phq9",
            "answers": phq9_answers(),
            "taken_at": timezone.now().isoformat(),
        },
    )
    assert response.status_code == 401
    assert not AssessmentResponse.objects.exists()


def test_front_desk_gets_403_for_results(front_desk, patient_alice, clinician):
    staff_phq9(clinician, patient_alice, PHQ9_EXAMPLE, days_ago=3)
    client = client_for(front_desk)
    for url in (responses_url(patient_alice), progress_url(patient_alice)):
        response = client.get(url)
        assert response.status_code == 403
        assert "questionnaire results" in response.json()["detail"]
    response = post_json(
        client,
        responses_url(patient_alice),
        {
            "instrument_code": "phq9",
            "answers": phq9_answers(),
            "taken_at": timezone.now().isoformat(),
        },
    )
    assert response.status_code == 403
    assert AssessmentResponse.objects.count() == 1
    assert not chart_views(patient_alice).filter(actor=front_desk).exists()


def test_a_patient_cannot_read_another_patients_responses(patient_alice, patient_bob):
    client = client_for(patient_bob.user)
    assert client.get(responses_url(patient_alice)).status_code == 403
    assert client.get(progress_url(patient_alice)).status_code == 403
    # Nor their own: results are read with the care team.
    assert client.get(responses_url(patient_bob)).status_code == 403


def test_a_clinician_of_another_location_gets_404_and_the_attempt_is_audited(
    other_location_clinician, patient_alice
):
    client = client_for(other_location_clinician)
    for url in (responses_url(patient_alice), progress_url(patient_alice)):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["detail"] == "We could not find that patient."
    response = post_json(
        client,
        responses_url(patient_alice),
        {
            "instrument_code": "phq9",
            "answers": phq9_answers(),
            "taken_at": timezone.now().isoformat(),
        },
    )
    assert response.status_code == 404
    assert not AssessmentResponse.objects.exists()
    denied = AuditEvent.objects.filter(
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        patient_id=patient_alice.pk,
        actor=other_location_clinician,
        outcome=AuditOutcome.DENIED,
    )
    assert denied.count() == 3
    assert not chart_views(patient_alice).filter(actor=other_location_clinician).exists()


def test_an_unknown_patient_is_404_and_a_malformed_id_422(clinician):
    client = client_for(clinician)
    assert client.get(f"/api/v1/patients/{uuid.uuid4()}/responses").status_code == 404
    assert client.get("/api/v1/patients/not-a-uuid/responses").status_code == 422


# --- Recording a response, then reading it back ---------------------------------------------------


def test_a_clinician_records_a_response_and_reads_it_back(clinician, patient_alice):
    client = client_for(clinician)
    baseline = staff_phq9(
        clinician, patient_alice, [3, 3, 2, 3, 2, 2, 2, 2, 1], days_ago=28, context="baseline"
    )
    taken_at = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    response = post_json(
        client,
        responses_url(patient_alice),
        {
            "instrument_code": "phq9",
            "answers": phq9_answers(),
            "taken_at": taken_at.isoformat(),
            "context": "follow_up",
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert created["instrument_code"] == "phq9"
    assert created["status"] == ResponseStatus.COMPLETED
    assert created["mode"] == ResponseMode.STAFF_ENTERED
    assert created["context"] == "follow_up"
    assert Decimal(created["total"]) == 10 and created["severity"] == "moderate"
    assert created["flags"] == []
    assert created["answers"] == phq9_answers()

    stored = AssessmentResponse.objects.get(public_id=created["id"])
    assert stored.patient == patient_alice and stored.entered_by == clinician
    assert stored.taken_at == taken_at and stored.total == 10
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.RESPONSE_ENTERED_BY_STAFF, patient_id=patient_alice.pk
    ).exists()

    listed = client.get(responses_url(patient_alice)).json()
    assert [r["id"] for r in listed] == [created["id"], str(baseline.public_id)]  # newest first

    progress = client.get(progress_url(patient_alice)).json()
    assert len(progress) == 1
    phq9 = progress[0]
    assert phq9["instrument_code"] == "phq9"
    assert Decimal(phq9["baseline_total"]) == 20
    assert Decimal(phq9["latest_total"]) == 10
    assert phq9["latest_severity"] == "moderate"
    assert Decimal(phq9["change_points"]) == -10
    assert Decimal(phq9["change_percent"]) == Decimal("-50.0")
    assert phq9["response"] is True
    assert phq9["remission"] is False
    assert phq9["worsening"] is False
    assert "50 %" in phq9["definitions"] and "remission < 5" in phq9["definitions"]


def test_a_single_score_has_progress_without_response_or_remission(nurse, patient_alice):
    staff_phq9(nurse, patient_alice, PHQ9_EXAMPLE, days_ago=2, context="baseline")
    progress = client_for(nurse).get(progress_url(patient_alice)).json()
    assert len(progress) == 1
    assert progress[0]["response"] is None and progress[0]["remission"] is None
    assert progress[0]["baseline_taken_at"] == progress[0]["latest_taken_at"]


def test_a_clinician_rating_is_recorded_as_such(nurse, patient_alice):
    response = post_json(
        client_for(nurse),
        responses_url(patient_alice),
        {
            "instrument_code": "cadss6",
            "answers": {f"cadss6_{n}": 1 for n in ("1", "2", "6", "7", "15", "22")},
            "taken_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "context": "post_dose",
        },
    )
    assert response.status_code == 201
    assert response.json()["mode"] == ResponseMode.CLINICIAN_RATED
    assert Decimal(response.json()["total"]) == 6


def test_recording_phq9_item_9_raises_an_alert_and_keeps_the_flag(clinician, patient_alice):
    response = post_json(
        client_for(clinician),
        responses_url(patient_alice),
        {
            "instrument_code": "phq9",
            "answers": phq9_answers([0, 0, 0, 0, 0, 0, 0, 0, 2]),
            "taken_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        },
    )
    assert response.status_code == 201
    assert response.json()["flags"] == ["self_harm_risk"]
    assert response.json()["context"] == "follow_up"  # the default
    stored = AssessmentResponse.objects.get(public_id=response.json()["id"])
    assert stored.alerts.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"answers": phq9_answers([1, 2, 0, 3, None, 0, 2, 1, 0])}, 400, "PHQ-9 item 5"),
        ({"answers": phq9_answers([1, 2, 0, 3, 4, 0, 2, 1, 0])}, 400, "PHQ-9 item 5"),
        ({"instrument_code": "beck"}, 400, "Choose a questionnaire"),
        ({"context": "whenever"}, 422, None),
        ({"taken_at": "yesterday"}, 422, None),
        # An hour ahead: inside the schema's day of slack for time zones, refused by the service.
        ({"taken_at": (timezone.now() + timedelta(hours=1)).isoformat()}, 400, "future"),
    ],
    ids=["incomplete", "out-of-range", "unknown-code", "bad-context", "bad-date", "future"],
)
def test_an_invalid_response_is_refused_and_nothing_stored(
    clinician, patient_alice, change, status, fragment
):
    payload = {
        "instrument_code": "phq9",
        "answers": phq9_answers(),
        "taken_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "context": "follow_up",
    } | change
    response = post_json(client_for(clinician), responses_url(patient_alice), payload)
    assert response.status_code == status
    if fragment:
        assert fragment in response.json()["detail"]
    assert not AssessmentResponse.objects.exists()


def test_a_refused_answer_names_the_item_for_people_and_its_code_in_field(clinician, patient_alice):
    payload = {
        "instrument_code": "phq9",
        "answers": phq9_answers([1, 2, 0, 3, None, 0, 2, 1, 0]),
        "taken_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "context": "follow_up",
    }
    response = post_json(client_for(clinician), responses_url(patient_alice), payload)
    assert response.status_code == 400
    assert response.json() == {"detail": "PHQ-9 item 5 is not answered.", "field": "phq9_5"}


def test_a_taken_at_without_a_time_zone_is_refused_not_a_server_error(clinician, patient_alice):
    client = Client(raise_request_exception=False)
    client.force_login(clinician)
    response = post_json(
        client,
        responses_url(patient_alice),
        {
            "instrument_code": "phq9",
            "answers": phq9_answers(),
            "taken_at": "2026-01-05T10:00:00",
            "context": "follow_up",
        },
    )
    assert response.status_code in {201, 400, 422}


def pcl5_answers(total: int) -> dict[str, int]:
    """20 answers (0–4) summing to `total`, filled from item 1."""
    answers = {}
    for n in range(1, 21):
        answers[f"pcl5_{n}"] = min(4, total)
        total -= answers[f"pcl5_{n}"]
    return answers


@pytest.mark.parametrize(("cutoff", "remission"), [(33, True), (31, False)])
def test_pcl5_remission_follows_the_clinics_cutoff(clinician, patient_alice, cutoff, remission):
    AssessmentPolicy.objects.update_or_create(singleton=True, defaults={"pcl5_cutoff": cutoff})
    for total, days_ago, context in ((60, 30, "baseline"), (32, 1, "follow_up")):
        record_staff_response(
            actor=clinician,
            patient=patient_alice,
            instrument_code="pcl5",
            answers=pcl5_answers(total),
            taken_at=timezone.now() - timedelta(days=days_ago),
            context=context,
        )
    (pcl5,) = client_for(clinician).get(progress_url(patient_alice)).json()
    assert pcl5["instrument_code"] == "pcl5"
    assert Decimal(pcl5["change_points"]) == -28
    assert pcl5["response"] is True
    assert pcl5["remission"] is remission


def test_an_answer_to_an_unknown_item_is_refused_when_recording(clinician, patient_alice):
    response = post_json(
        client_for(clinician),
        responses_url(patient_alice),
        {
            "instrument_code": "phq9",
            # A typo for the optional item 10 ("phq9_1O"): the answer would be lost.
            "answers": phq9_answers() | {"phq9_1O": 3},
            "taken_at": (timezone.now() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code in {400, 422}
    assert not AssessmentResponse.objects.exists()


@pytest.mark.parametrize("value", [True, "2"], ids=["json-true", "string"])
def test_an_answer_that_is_a_boolean_or_a_string_is_422(clinician, value):
    response = post_json(
        client_for(clinician),
        "/api/v1/instruments/phq9/score",
        {"answers": phq9_answers() | {"phq9_9": value}},
    )
    assert response.status_code == 422


# --- One response --------------------------------------------------------------------------------


def test_one_response_for_a_clinician_and_404_for_everyone_else(
    clinician,
    nurse,
    medical_director,
    front_desk,
    other_location_clinician,
    patient_alice,
):
    stored = staff_phq9(clinician, patient_alice, PHQ9_EXAMPLE, days_ago=1)
    url = f"/api/v1/responses/{stored.public_id}"
    for reader in (clinician, nurse, medical_director):
        response = client_for(reader).get(url)
        assert response.status_code == 200, reader.role
        body = response.json()
        assert body["id"] == str(stored.public_id)
        assert Decimal(body["total"]) == 10 and body["severity"] == "moderate"
        assert body["answers"] == phq9_answers()
    for outsider in (front_desk, other_location_clinician, patient_alice.user):
        response = client_for(outsider).get(url)
        assert response.status_code == 404, outsider.role
        assert response.json()["detail"] == "We could not find that questionnaire."
    assert client_for(clinician).get(f"/api/v1/responses/{uuid.uuid4()}").status_code == 404
    assert client_for(clinician).get("/api/v1/responses/42").status_code == 422


# --- Audit ---------------------------------------------------------------------------------------


def test_every_read_of_a_patients_responses_is_an_audited_chart_view(
    clinician, nurse, patient_alice, patient_bob
):
    stored = staff_phq9(clinician, patient_alice, PHQ9_EXAMPLE, days_ago=1)
    client = client_for(nurse)
    assert chart_views(patient_alice).count() == 0

    client.get(responses_url(patient_alice))
    client.get(responses_url(patient_alice))
    assert chart_views(patient_alice, "api:responses").filter(actor=nurse).count() == 2

    client.get(progress_url(patient_alice))
    assert chart_views(patient_alice, "api:progress").filter(actor=nurse).count() == 1

    client.get(f"/api/v1/responses/{stored.public_id}")
    detail = chart_views(patient_alice, "api:response").get(actor=nurse)
    assert detail.target_type == "assessments.assessmentresponse"
    assert detail.target_id == str(stored.pk)

    post_json(
        client,
        responses_url(patient_alice),
        {
            "instrument_code": "phq9",
            "answers": phq9_answers(),
            "taken_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        },
    )
    assert chart_views(patient_alice, "api:responses").filter(actor=nurse).count() == 3
    # Nothing is written against another patient.
    assert chart_views(patient_bob).count() == 0


def test_scoring_without_a_patient_is_not_a_chart_view(clinician):
    before = AuditEvent.objects.filter(event_type=AuditEventType.PATIENT_CHART_VIEWED).count()
    post_json(client_for(clinician), "/api/v1/instruments/phq9/score", {"answers": phq9_answers()})
    after = AuditEvent.objects.filter(event_type=AuditEventType.PATIENT_CHART_VIEWED).count()
    assert after == before


@pytest.mark.parametrize("taken_at", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00"])
def test_answers_dated_in_a_far_year_are_refused_with_422_and_why(
    clinician, patient_alice, taken_at
):
    response = post_json(
        client_for(clinician),
        responses_url(patient_alice),
        {"instrument_code": "phq9", "answers": phq9_answers(), "taken_at": taken_at},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "enter when it happened" in page or "within the last year" in page
    assert not AssessmentResponse.objects.exists()
