"""The daily opioid dose in MME from a medicine list, against figures worked by hand with the CDC
2022 guideline's factors; medicine lists recorded over the course of care and charted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, NotFoundError, PermissionDeniedError
from clinic.evaluation import selectors, services
from clinic.evaluation.opioids import convert_line, daily_mme
from conftest import client_for


@pytest.mark.parametrize(
    ("line", "daily", "mme"),
    [
        # The guideline's own examples: hydrocodone 5 mg four times a day = 20 MME; oxycodone
        # 10 mg twice a day = 20 mg = 30 MME.
        ("Norco (hydrocodone/acetaminophen) 5/325 mg four times daily", "20", "20"),
        ("oxycodone ER 10 mg twice daily", "20", "30"),
        ("fentanyl 25 mcg/hr patch every 72 hours", "25", "60"),  # 25 × 2.4
        ("methadone 10 mg three times a day", "30", "141"),  # 30 × 4.7
        ("tramadol 50 mg every 6 hours", "200", "40"),  # 200 × 0.2
        ("hydromorphone 2 mg q4h", "12", "60"),  # 12 × 5
        ("tapentadol 100 mg bid", "200", "80"),  # 200 × 0.4
        ("codeine 30 mg 4 times a day", "120", "18"),  # 120 × 0.15
        ("oxymorphone 5 mg twice daily", "10", "30"),  # 10 × 3
        ("MS Contin 30 mg twice a day", "60", "60"),  # morphine × 1
        ("oxycodone 5mg 2 tablets three times daily", "30", "45"),
    ],
)
def test_each_opioid_is_converted_with_its_cited_factor(line, daily, mme):
    converted = convert_line(line)
    assert converted.converted, converted.not_converted
    assert converted.daily_amount == Decimal(daily)
    assert converted.mme == Decimal(mme)


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("buprenorphine 8 mg daily", "leaves buprenorphine out"),
        ("Suboxone 8/2 mg daily", "leaves buprenorphine out"),
        ("dihydrocodeine 30 mg twice daily", "no factor for dihydrocodeine"),
        ("morphine 10 mg IV every 4 hours", "injected or infused"),
        ("fentanyl 100 mcg buccal four times daily", "transdermal patch"),
        ("oxycodone 5 mg as needed", "as needed"),
        ("oxycodone twice daily", "No strength"),
        ("oxycodone 10 mg", "No frequency"),
    ],
)
def test_an_opioid_without_a_cited_factor_or_a_readable_dose_is_not_converted(line, why):
    converted = convert_line(line)
    assert not converted.converted
    assert why in converted.not_converted


def test_a_list_totals_the_converted_opioids_and_says_when_one_is_not():
    mme = daily_mme(
        "sertraline 100 mg daily\noxycodone 10 mg twice daily\n\ntramadol 50 mg every 6 hours"
    )
    assert [line.opioid for line in mme.lines] == ["oxycodone", "tramadol"]
    assert mme.total == Decimal(70) and mme.complete
    partial = daily_mme("oxycodone 10 mg twice daily\nbuprenorphine patch 10 mcg/hr")
    assert partial.total == Decimal(30) and not partial.complete
    assert daily_mme("sertraline 100 mg daily").has_opioids is False
    assert "particular caution" in convert_line("methadone 5 mg daily").caution
    assert "at the most" in convert_line("tramadol 50 mg up to 4 times a day as needed").caution


@pytest.mark.django_db
def test_each_recorded_list_adds_to_the_series_and_is_audited(clinician, nurse, patient_alice):
    from clinic.sessions.tests.factories import plan_for

    plan_for(clinician, patient_alice)  # the signed evaluation's list: no medicines
    services.record_medicine_list(
        actor=nurse, patient=patient_alice, medicines="oxycodone 10 mg twice daily"
    )
    record = services.record_medicine_list(
        actor=clinician, patient=patient_alice, medicines="  oxycodone   5 mg twice daily \n\n"
    )
    assert record.medicines == "oxycodone 5 mg twice daily"
    series = selectors.mme_series(patient_alice)
    assert [(e.source, e.mme.total) for e in series] == [
        ("Evaluation", Decimal(0)),
        ("Medicine list", Decimal(30)),
        ("Medicine list", Decimal(15)),
    ]
    event = AuditEvent.objects.get(
        event_type=AuditEventType.MEDICINE_LIST_RECORDED, target_id=str(record.pk)
    )
    assert event.details["daily_mme"] == "15.0" and event.patient_id == patient_alice.pk


@pytest.mark.django_db
def test_recording_a_list_is_refused_to_front_desk_other_locations_and_bad_input(
    front_desk, other_location_clinician, clinician, patient_alice
):
    with pytest.raises(PermissionDeniedError):
        services.record_medicine_list(actor=front_desk, patient=patient_alice, medicines="x")
    with pytest.raises(NotFoundError):
        services.record_medicine_list(
            actor=other_location_clinician, patient=patient_alice, medicines="x"
        )
    with pytest.raises(ClinicError, match="one a line"):
        services.record_medicine_list(actor=clinician, patient=patient_alice, medicines=" \n ")
    with pytest.raises(ClinicError, match="not both"):
        services.record_medicine_list(
            actor=clinician, patient=patient_alice, medicines="x", no_medicines=True
        )


@pytest.mark.django_db
def test_the_medicines_page_charts_the_dose_and_keeps_what_was_typed(clinician, patient_alice):
    from clinic.sessions.tests.factories import plan_for

    plan_for(clinician, patient_alice)
    client = client_for(clinician)
    url = f"/patients/{patient_alice.public_id}/medicines/"
    response = client.post(url, {"medicines": "oxycodone 10 mg twice daily"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'id="mme-chart"' in page and "30 MME" in page and "× 1.5" in page
    assert "CDC Clinical Practice Guideline for Prescribing Opioids for Pain" in page
    refused = client.post(url, {"medicines": "oxycodone 5 mg daily", "no_medicines": "on"})
    assert refused.status_code == 400
    assert "oxycodone 5 mg daily" in refused.content.decode()
    chart = client.get(f"/patients/{patient_alice.public_id}/?section=medicines").content.decode()
    assert 'id="latest-mme"' in chart and "30 MME" in chart
