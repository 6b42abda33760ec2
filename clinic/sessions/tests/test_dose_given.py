"""The dose actually given, recorded on the session: "Completed" before the dose can have run is
refused; "Stopped" records rate × time; a nasal dose is given at once. Offline entries keep the
time taken on the tablet; the CADSS-6 is rated more than once; the header follows the live region;
the pump settings and the plan's rate are offered chair-side."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError
from clinic.sessions import services
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests import factories
from conftest import client_for

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
CADSS6_ANSWERS = {
    "cadss6_1": 1,
    "cadss6_2": 2,
    "cadss6_6": 0,
    "cadss6_7": 1,
    "cadss6_15": 0,
    "cadss6_22": 1,
}


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def fresh(session) -> TreatmentSession:
    return TreatmentSession.objects.get(pk=session.pk)


def url(session, action: str) -> str:
    return f"/sessions/{session.public_id}/{action}/"


# --- IV: completed and stopped early ---------------------------------------------------------
def test_completed_two_minutes_into_a_40_minute_infusion_is_refused(
    clinician, nurse, patient_alice
):
    # 70 kg × 0.5 mg/kg = 35.0 mg over 40 min at 52.5 mg/h (the plan's rate, used at the start).
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(2))
    with pytest.raises(ClinicError) as refused:
        services.record_infusion_event(actor=nurse, session=session, kind="complete")
    assert refused.value.field == "kind"
    assert "of the 35.0 mg drawn has run" in refused.value.message
    assert "record “Stopped”" in refused.value.message
    assert not session.infusion_events.filter(kind="complete").exists()
    assert fresh(session).dose_given_mg is None


def test_completed_at_the_planned_minutes_records_the_whole_dose(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(45))
    start = fresh(session).dosed_at
    services.record_infusion_event(
        actor=nurse, session=session, kind="complete", at=start + timedelta(minutes=40)
    )
    recorded = fresh(session)
    assert recorded.dose_given_mg == Decimal("35.0")
    assert recorded.dose_given_working.startswith("Completed: the whole 35.0 mg drawn up.")
    assert "52.5 mg/h × 40.0 min = 35.00 mg" in recorded.dose_given_working


def test_completed_within_the_protocols_tolerance_is_accepted(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(45))
    start = fresh(session).dosed_at
    # The seeded tolerance is 5 min: from 35 min (30.6 mg of 35.0 at 52.5 mg/h).
    services.record_infusion_event(
        actor=nurse, session=session, kind="complete", at=start + timedelta(minutes=36)
    )
    assert fresh(session).dose_given_mg == Decimal("35.0")


def test_stopped_early_records_the_dose_given_from_rate_and_time(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(30))
    start = fresh(session).dosed_at
    services.record_infusion_event(
        actor=nurse,
        session=session,
        kind="stop",
        at=start + timedelta(minutes=20),
        reason="Patient asked to stop",
    )
    recorded = fresh(session)
    # 52.5 mg/h × 20 min ÷ 60 = 17.5 mg.
    assert recorded.dose_given_mg == Decimal("17.5")
    assert recorded.dose_given_working == (
        "Stopped early: 52.5 mg/h × 20.0 min = 17.50 mg over 20.0 min running."
    )
    event = (
        AuditEvent.objects.filter(event_type=AuditEventType.SESSION_INFUSION_EVENT)
        .order_by("-pk")
        .first()
    )
    assert event.details["dose_given_mg"] == "17.5"


def test_a_rate_change_and_a_pause_count_in_the_dose_given(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(40))
    start = fresh(session).dosed_at

    def record(kind, minutes, **extra):
        services.record_infusion_event(
            actor=nurse, session=session, kind=kind, at=start + timedelta(minutes=minutes), **extra
        )

    record("rate_change", 10, rate_mg_per_hour=Decimal("30"), reason="Dissociation")
    record("pause", 20, reason="Nausea")
    record("resume", 25)
    record("stop", 29, reason="Patient unwell")
    # 52.5 × 10 ÷ 60 = 8.75; 30 × 10 ÷ 60 = 5.00; 30 × 4 ÷ 60 = 2.00; 15.75 → 15.8 mg.
    recorded = fresh(session)
    assert recorded.dose_given_mg == Decimal("15.8")
    assert "(paused 5.0 min)" in recorded.dose_given_working


def test_the_infusion_starts_at_the_plans_rate_when_none_is_typed(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(1))
    start = session.infusion_events.get(kind="start")
    assert start.rate_mg_per_hour == Decimal("52.5")


# --- routes given at once --------------------------------------------------------------------
def test_a_nasal_dose_is_given_at_once_as_whole_devices(clinician, nurse, patient_alice):
    session = factories.dosed(
        clinician, nurse, patient_alice, protocol_name=factories.ESKETAMINE, at=ago(1)
    )
    recorded = fresh(session)
    assert recorded.dose_given_mg == recorded.dose_mg
    devices = int(recorded.dose_mg / Decimal("28"))
    assert recorded.dose_given_working == (
        f"{devices} devices × 28 mg = {recorded.dose_mg} mg, given at once (intranasal esketamine)."
    )


# --- the signed content ----------------------------------------------------------------------
def test_the_signed_content_holds_the_dose_given_and_every_cadss_rating(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(30))
    before = services.session_content(fresh(session))
    # Added after records were first signed: absent while empty, so older seals still hold.
    assert "dose_given_mg" not in before["session"]
    assert "dissociation_ratings" not in before
    services.rate_dissociation(
        actor=nurse, session=session, answers=dict(CADSS6_ANSWERS), moment="peak"
    )
    services.record_infusion_event(
        actor=nurse, session=session, kind="stop", reason="Patient asked to stop"
    )
    content = services.session_content(fresh(session))
    assert content["session"]["dose_given_mg"] == fresh(session).dose_given_mg
    assert content["session"]["dose_given_working"].startswith("Stopped early:")
    assert [(r["moment"], r["response__total"]) for r in content["dissociation_ratings"]] == [
        ("peak", 5)
    ]


# --- CADSS-6 more than once ------------------------------------------------------------------
def test_the_cadss6_is_rated_at_its_height_and_before_discharge_each_kept(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(60))
    peak = services.rate_dissociation(
        actor=nurse, session=session, answers=dict(CADSS6_ANSWERS), moment="peak", taken_at=ago(20)
    )
    later = services.rate_dissociation(
        actor=nurse,
        session=session,
        answers=dict.fromkeys(CADSS6_ANSWERS, 0),
        moment="before_discharge",
    )
    assert list(fresh(session).dissociation_ratings.all()) == [peak, later]
    assert (peak.response.total, later.response.total) == (5, 0)
    html = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert 'id="cadss-ratings"' in html
    assert (
        "5 of 24</strong> · at its height" in html and "0 of 24</strong> · before discharge" in html
    )
    # On the chart: a marker at each rating.
    assert "CADSS 5" in html and "CADSS 0" in html


def test_a_cadss6_rating_needs_its_moment_and_comes_after_the_dose(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(10))
    with pytest.raises(ClinicError) as refused:
        services.rate_dissociation(actor=nurse, session=session, answers=dict(CADSS6_ANSWERS))
    assert refused.value.field == "moment"
    with pytest.raises(ClinicError, match="after the dose") as refused:
        services.rate_dissociation(
            actor=nurse,
            session=session,
            answers=dict(CADSS6_ANSWERS),
            moment="peak",
            taken_at=ago(20),
        )
    assert not session.dissociation_ratings.exists()


# --- offline entries keep the time taken on the tablet ---------------------------------------
def test_a_reading_typed_offline_and_sent_again_later_is_charted_when_it_was_taken(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(30))
    typed_at = (timezone.now() - timedelta(seconds=61)).replace(microsecond=0)
    response = client_for(nurse).post(
        url(session, "vitals"),
        {**factories.GOOD_DURING, "entered_at": typed_at.isoformat()},
        **HX,
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    reading = session.readings.order_by("-id").first()
    assert reading.taken_at == typed_at


def test_the_time_typed_wins_over_the_tablets(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(30))
    typed = timezone.localtime(ago(5), session.location.zone).replace(second=0, microsecond=0)
    response = client_for(nurse).post(
        url(session, "vitals"),
        {
            **factories.GOOD_DURING,
            "taken_at": f"{typed:%H:%M}",
            "entered_at": timezone.now().isoformat(),
        },
        **HX,
    )
    assert response.status_code == 200
    assert session.readings.order_by("-id").first().taken_at == typed


def test_a_tablet_time_outside_the_backdate_window_is_refused_beside_the_entry(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(30))
    before = session.readings.count()
    response = client_for(nurse).post(
        url(session, "vitals"),
        {**factories.GOOD_DURING, "entered_at": (timezone.now() - timedelta(hours=13)).isoformat()},
        **HX,
    )
    assert response.status_code == 400
    assert "more than 12 hours ago" in response.content.decode()
    assert session.readings.count() == before


def test_an_unreadable_tablet_time_is_refused_with_a_clear_message(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(30))
    response = client_for(nurse).post(
        url(session, "vitals"), {**factories.GOOD_DURING, "entered_at": "yesterday-ish"}, **HX
    )
    assert response.status_code == 400
    assert "Time on the tablet: The tablet sent a time that could not be read" in (
        response.content.decode()
    )


def test_an_infusion_event_sent_again_keeps_the_tablets_time(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(30))
    stopped_at = fresh(session).dosed_at + timedelta(minutes=20)
    response = client_for(nurse).post(
        url(session, "infusion"),
        {
            "kind": "stop",
            "reason": "Patient asked to stop",
            "entered_at": stopped_at.isoformat(),
            "version": fresh(session).version,
        },
        **HX,
    )
    assert response.status_code == 200, response.content.decode()[:1500]
    assert "Dose given: 17.5 mg" in response.content.decode()
    assert session.infusion_events.get(kind="stop").at == stopped_at


# --- the page ---------------------------------------------------------------------------------
def test_the_start_form_offers_the_plans_rate_and_the_pump_settings(
    clinician, nurse, patient_alice
):
    session = factories.ready_to_dose(clinician, nurse, patient_alice)
    factories.confirm_and_verify(clinician, nurse, session)
    html = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert 'name="rate_mg_per_hour" value="52.5"' in html
    assert "Plan: 52.5 mg/h = 151.1 mL/h on the pump." in html


def test_during_the_infusion_the_page_shows_the_pump_settings_and_what_has_run(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(10))
    html = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert 'id="pump-settings"' in html and "151.1 mL/h" in html
    assert 'id="infused-so-far"' in html and "52.5 mg/h × 10" in html
    # The rate is a hint once running (a pause or stop records no rate).
    assert 'placeholder="52.5"' in html
    live = client_for(nurse).get(f"/sessions/{session.public_id}/live/", **HX).content.decode()
    assert 'id="infusion-progress"' in live and "of 35.0 mg" in live


def test_the_live_region_brings_the_header_status_with_it(clinician, nurse, patient_alice):
    session = factories.ready_to_dose(clinician, nurse, patient_alice)
    page = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert '<span id="session-status" class="badge badge-preparation">Preparing</span>' in page
    assert "hx-swap-oob" not in page.split('id="session-status"')[1].split(">")[0]
    factories.give_dose(clinician, nurse, session)
    live = client_for(nurse).get(f"/sessions/{session.public_id}/live/", **HX).content.decode()
    assert (
        '<span id="session-status" class="badge badge-in-progress" hx-swap-oob="true">'
        "Dosed, monitoring</span>"
    ) in live
