"""The questionnaire set of each condition, drafted, reviewed and published on the configuration
pages: the admin form's rules, the assessments service's audit and due-questionnaire refresh."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clinic.assessments.models import InstrumentAssignment, ProgressSummary
from clinic.assessments.policy import DEFAULT_ASSIGNMENTS
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.configuration import services
from clinic.configuration.choices import ChangeStatus, TargetKind
from clinic.configuration.exceptions import ConfigurationInvalidError, StaleChangeError
from clinic.configuration.models import ConfigurationChange
from clinic.configuration.targets import TARGETS
from clinic.configuration.tests.factories import draft_change
from clinic.core.choices import Condition
from clinic.core.exceptions import PermissionDeniedError
from clinic.patients.services import change_patient_status
from conftest import client_for

pytestmark = pytest.mark.django_db

KIND = TargetKind.INSTRUMENT_ASSIGNMENT
TARGET = TARGETS[KIND]
PTSD = Condition.PTSD.value
PTSD_ROW = reverse("configuration:row", kwargs={"kind": KIND.value, "key": PTSD})
PTSD_DRAFT = reverse("configuration:new_draft", kwargs={"kind": KIND.value, "key": PTSD})
# The PTSD set with GAD-7 in place of PCL-5.
SWAPPED = ["phq9", "gad7", "cssrs_screen"]


def publish(director, change) -> ConfigurationChange:
    services.review_change(actor=director, change=change, attested=True)
    return services.publish_change(actor=director, change=change)


def form(codes: list[str], reason: str = "", why: str = "New set") -> dict:
    return {"instrument_codes": codes, "suicide_screen_omitted_reason": reason, "reason": why}


def test_every_condition_is_listed_and_one_without_a_row_shows_the_default_set(medical_director):
    InstrumentAssignment.objects.filter(condition=PTSD).delete()

    rows = TARGET.rows()

    assert [TARGET.key_of(row) for row in rows] == list(Condition.values)
    ptsd = next(row for row in rows if row.condition == PTSD)
    assert ptsd.pk is None
    assert TARGET.values_of(ptsd)["instrument_codes"] == ["phq9", "pcl5", "cssrs_screen"]
    assert TARGET.summary(ptsd) == "PHQ-9, PCL-5, C-SSRS screen"


def test_publishing_goes_through_the_assessments_service(
    medical_director, clinician, patient_bob, django_capture_on_commit_callbacks
):
    change_patient_status(
        actor=clinician, patient=patient_bob, to_status="in_evaluation", reason="Booked"
    )
    condition = patient_bob.primary_conditions[0]
    change = draft_change(
        actor=medical_director, kind=KIND, key=condition, instrument_codes=["gad7", "cssrs_screen"]
    )
    assert InstrumentAssignment.objects.get(condition=condition).instrument_codes != [
        "gad7",
        "cssrs_screen",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        publish(medical_director, change)

    assert InstrumentAssignment.objects.get(condition=condition).instrument_codes == [
        "gad7",
        "cssrs_screen",
    ]
    # The service's own audit entry, beside the configuration app's.
    settings_event = AuditEvent.objects.get(event_type=AuditEventType.ASSESSMENT_SETTINGS_CHANGED)
    assert settings_event.details["instruments"] == ["gad7", "cssrs_screen"]
    assert settings_event.details["fields"] == ["instrument_codes"]
    published = AuditEvent.objects.get(event_type=AuditEventType.CONFIGURATION_PUBLISHED)
    assert published.details["changes"]["instrument_codes"][1] == ["gad7", "cssrs_screen"]
    # The questionnaires due follow the new set.
    required = set(
        ProgressSummary.objects.filter(patient=patient_bob, required=True).values_list(
            "instrument_code", flat=True
        )
    )
    assert "gad7" in required and "phq9" not in required


def test_a_condition_without_a_row_gets_one_on_its_first_publication(medical_director):
    InstrumentAssignment.objects.filter(condition=PTSD).delete()
    change = draft_change(actor=medical_director, kind=KIND, key=PTSD, instrument_codes=SWAPPED)
    assert set(change.based_on_values["instrument_codes"]) == set(DEFAULT_ASSIGNMENTS[PTSD])

    publish(medical_director, change)

    assert InstrumentAssignment.objects.get(condition=PTSD).instrument_codes == SWAPPED
    event = AuditEvent.objects.get(event_type=AuditEventType.ASSESSMENT_SETTINGS_CHANGED)
    assert event.details["created"] is True


def test_a_set_without_the_suicide_risk_screen_needs_a_reason(medical_director):
    with pytest.raises(ConfigurationInvalidError, match="no suicide-risk screen") as caught:
        draft_change(actor=medical_director, kind=KIND, key=PTSD, instrument_codes=["pcl5"])
    assert caught.value.field == "suicide_screen_omitted_reason"

    change = draft_change(
        actor=medical_director,
        kind=KIND,
        key=PTSD,
        instrument_codes=["pcl5"],
        suicide_screen_omitted_reason="Screened by the trauma team at every visit.",
    )
    publish(medical_director, change)

    saved = InstrumentAssignment.objects.get(condition=PTSD)
    assert saved.suicide_screen_omitted_reason == "Screened by the trauma team at every visit."
    event = AuditEvent.objects.get(event_type=AuditEventType.ASSESSMENT_SETTINGS_CHANGED)
    assert event.details["suicide_screen_omitted_reason"].startswith("Screened by")


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([], "at least one instrument"),
        (["nothing"], "Unknown instrument"),
        ("phq9", "from the list"),
        ([3], "from the list"),
    ],
)
def test_a_bad_set_is_refused(medical_director, codes, message):
    with pytest.raises(ConfigurationInvalidError, match=message):
        draft_change(actor=medical_director, kind=KIND, key=PTSD, instrument_codes=codes)
    assert not ConfigurationChange.objects.exists()


def test_a_reason_is_dropped_while_the_screen_is_in_the_set(medical_director):
    with pytest.raises(ConfigurationInvalidError, match="already published"):
        draft_change(
            actor=medical_director,
            kind=KIND,
            key=PTSD,
            suicide_screen_omitted_reason="Not needed",
        )


def test_a_draft_made_before_another_publication_is_refused(medical_director):
    first = draft_change(actor=medical_director, kind=KIND, key=PTSD, instrument_codes=SWAPPED)
    second = draft_change(
        actor=medical_director, kind=KIND, key=PTSD, instrument_codes=["pcl5", "cssrs_screen"]
    )
    publish(medical_director, first)

    with pytest.raises(StaleChangeError, match="These questionnaire sets were changed by"):
        services.review_change(actor=medical_director, change=second, attested=True)
    assert InstrumentAssignment.objects.get(condition=PTSD).instrument_codes == SWAPPED


def test_a_clinician_may_not_draft_a_set(clinician):
    with pytest.raises(PermissionDeniedError):
        draft_change(actor=clinician, kind=KIND, key=PTSD, instrument_codes=SWAPPED)
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.CONFIGURATION_DRAFT_SAVED, outcome=AuditOutcome.DENIED
    ).exists()


def test_the_home_and_the_row_show_the_sets(medical_director):
    InstrumentAssignment.objects.filter(condition=PTSD).delete()
    client = client_for(medical_director)

    home = client.get(reverse("configuration:home")).content.decode()
    assert 'id="kind-instruments"' in home
    assert PTSD_ROW in home
    page = client.get(PTSD_ROW)
    assert page.status_code == 200
    assert "PHQ-9, PCL-5, C-SSRS screen" in page.content.decode()


def test_the_form_has_one_labelled_checkbox_per_instrument(medical_director):
    page = client_for(medical_director).get(PTSD_DRAFT)

    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('type="checkbox" name="instrument_codes"') == 12
    assert "GAD-7 — " in text
    assert 'name="suicide_screen_omitted_reason"' in text


def test_the_director_drafts_previews_and_publishes_a_set(medical_director):
    client = client_for(medical_director)

    response = client.post(PTSD_DRAFT, form(SWAPPED))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Post-traumatic stress disorder (PTSD): adds GAD-7, removes PCL-5" in page

    change = ConfigurationChange.objects.get()
    client.post(reverse("configuration:review", args=[change.public_id]), {"attested": "on"})
    client.post(reverse("configuration:publish", args=[change.public_id]))

    change.refresh_from_db()
    assert change.status == ChangeStatus.PUBLISHED
    assert InstrumentAssignment.objects.get(condition=PTSD).instrument_codes == SWAPPED


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (form(["pcl5"]), "id_suicide_screen_omitted_reason_error"),
        (form([]), "id_instrument_codes_error"),
        (form(["nothing"]), "id_instrument_codes_error"),
        (form(SWAPPED, reason="x" * 5000), "id_suicide_screen_omitted_reason_error"),
        ({"instrument_codes": "\x00", "reason": "x" * 900}, "id_instrument_codes_error"),
    ],
)
def test_bad_input_is_shown_on_the_form_never_a_500(medical_director, data, error):
    response = client_for(medical_director).post(PTSD_DRAFT, data)

    assert response.status_code == 400
    assert f'id="{error}"' in response.content.decode()
    assert not ConfigurationChange.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/configuration/instruments/nothing/",
        "/configuration/instruments/clinic/draft/",
        f"/configuration/instruments/{'x' * 300}/",
    ],
)
def test_an_unknown_condition_is_not_found(medical_director, path):
    assert client_for(medical_director).get(path).status_code == 404


def test_a_clinician_reads_the_sets_but_cannot_draft(clinician):
    client = client_for(clinician)

    page = client.get(PTSD_ROW)
    assert page.status_code == 200
    assert "Start a draft" not in page.content.decode()
    assert client.get(PTSD_DRAFT).status_code == 403
    assert client.post(PTSD_DRAFT, form(SWAPPED)).status_code == 403
    assert not ConfigurationChange.objects.exists()


@pytest.mark.parametrize("persona", ["nurse", "front_desk", "patient_alice"])
def test_other_roles_may_not_read_the_sets(personas, persona):
    client = client_for(personas[persona])
    assert client.get(PTSD_ROW).status_code == 403
    assert client.post(PTSD_DRAFT, form(SWAPPED)).status_code == 403


def test_the_author_edits_a_draft_set_on_its_page(medical_director):
    change = draft_change(actor=medical_director, kind=KIND, key=PTSD, instrument_codes=SWAPPED)
    url = reverse("configuration:edit", args=[change.public_id])
    client = client_for(medical_director)

    page = client.get(url).content.decode()
    # The draft's set is ticked, not the published one.
    assert re.search(r'value="gad7" id="[^"]+" checked', page)
    assert not re.search(r'value="pcl5" id="[^"]+" checked', page)
    response = client.post(url, form(["pcl5"], reason="Screened by the trauma team."))

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.proposed_values == {
        "instrument_codes": ["pcl5"],
        "suicide_screen_omitted_reason": "Screened by the trauma team.",
    }
    preview = client.get(reverse("configuration:change", args=[change.public_id])).content
    assert "removes PHQ-9, C-SSRS screen" in preview.decode()
