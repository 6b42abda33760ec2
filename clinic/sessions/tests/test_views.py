"""The chair-side pages: who may open them, what every action answers (HTMX fragment, redirect,
or the page again with the input kept), that no input makes them fail, and that the polled
region stays cheap."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.scheduling.models import Appointment
from clinic.sessions import forms, selectors, services, views
from clinic.sessions.choices import AlertStatus, SessionStatus
from clinic.sessions.models import MonitoringAlert, TreatmentSession
from clinic.sessions.tests.factories import (
    GOOD_DURING,
    GOOD_PRE_DOSE,
    checked_in_appointment,
    dosed,
    plan_for,
    ready_to_dose,
    started_session,
)
from conftest import PASSWORD, client_for

# The dose forms here type the lot (the register off); the register's own chair-side forms are
# tested in clinic/inventory/tests/test_chairside.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("typed_lots")]

HX = {"HTTP_HX_REQUEST": "true"}
ALLOWED_STATUSES = (200, 302, 400, 403, 409)
ALL_TWOS = {
    "activity": "2",
    "respiration": "2",
    "circulation": "2",
    "consciousness": "2",
    "oxygen_saturation": "2",
}


# --- helpers -------------------------------------------------------------------------------
def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def fresh(session) -> TreatmentSession:
    return TreatmentSession.objects.get(pk=session.pk)


def second_nurse(location):
    """Built the way conftest builds `nurse`: a nurse who works at the location."""
    user = UserFactory(role=Role.NURSE, full_name="Nurse Nadia", credentials="RN")
    user.locations.set([location])
    return user


def detail_url(session) -> str:
    return reverse("sessions:detail", args=[session.public_id])


def live_url(session) -> str:
    return reverse("sessions:live", args=[session.public_id])


def summary_url(session) -> str:
    return reverse("sessions:summary", args=[session.public_id])


def act_url(session, action: str) -> str:
    return reverse("sessions:act", args=[session.public_id, action])


def ack_url(session, alert) -> str:
    return reverse("sessions:acknowledge", args=[session.public_id, alert.public_id])


def text(response) -> str:
    return response.content.decode()


def dose_now(session):
    session = fresh(session)
    return selectors.compute_dose(session, session.plan_version, session.weight_kg).dose_mg


class _FormReader(HTMLParser):
    """What a browser would submit from one form of a page: inputs with their values, ticked
    boxes, the selected option of each select (the first when none is), textareas."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.found = False
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name, value):
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value") or "on")
            elif kind not in ("submit", "button"):
                self._add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected]
            if not chosen and self._options:
                chosen = [self._options[0][0]]
            for value in chosen:
                self._add(self._select, value)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._add(self._textarea, self._text.lstrip("\n"))
            self._textarea = None


def form_data(response, form_id: str) -> dict:
    """The fields of form `form_id` in a response, as a browser would post them."""
    reader = _FormReader(form_id)
    reader.feed(text(response))
    assert reader.found, f"no form #{form_id} in the page"
    fields = {k: v[0] if len(v) == 1 else v for k, v in reader.fields.items()}
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def field_html(body: str, form_id: str, name: str) -> str:
    """The field wrapper (from just after `<div class="field`: its classes, label, input and
    errors) of the input named `name` in form `form_id`."""
    form = body.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
    blocks = form.split('<div class="field')[1:]
    return next(b for b in blocks if f'name="{name}"' in b)


# --- session states ------------------------------------------------------------------------
def preparing(clinician, nurse, patient):
    return started_session(clinician, nurse, patient)


def ready(clinician, nurse, patient):
    return ready_to_dose(clinician, nurse, patient)


def confirmed(clinician, nurse, patient):
    session = ready_to_dose(clinician, nurse, patient)
    services.confirm_dose(
        actor=nurse,
        session=session,
        expected_dose_mg=dose_now(session),
        vial_lot="KT-2291",
        vial_expiry=timezone.localdate() + timedelta(days=200),
    )
    return fresh(session)


def verified(clinician, nurse, patient):
    session = confirmed(clinician, nurse, patient)
    services.verify_dose(
        actor=clinician,
        session=session,
        dose_mg=session.dose_mg,
        vial_lot="KT-2291",
        password=PASSWORD,
    )
    return fresh(session)


def in_progress(clinician, nurse, patient):
    return dosed(clinician, nurse, patient, at=ago(10))


def observed(clinician, nurse, patient):
    """Dosed 110 minutes ago, the infusion completed 70 minutes ago (observation counts from its
    end), a good reading just now: ready to go home."""
    session = dosed(clinician, nurse, patient, at=ago(110))
    services.record_infusion_event(actor=nurse, session=session, kind="complete", at=ago(70))
    services.record_reading(actor=nurse, session=session, values=dict(GOOD_DURING), taken_at=ago(3))
    return fresh(session)


def discharged(clinician, nurse, patient):
    session = observed(clinician, nurse, patient)
    result = services.discharge(
        actor=nurse,
        session=session,
        aldrete={k: int(v) for k, v in ALL_TWOS.items()},
        escort_present=True,
        instructions_given=True,
    )
    assert result.discharged, result.reasons
    return fresh(session)


def locked(clinician, nurse, patient):
    session = discharged(clinician, nurse, patient)
    services.sign_session(actor=nurse, session=session, role="nurse", password=PASSWORD)
    services.sign_session(actor=clinician, session=session, role="clinician", password=PASSWORD)
    return fresh(session)


def with_alert(clinician, nurse, patient):
    """Dosed, with one reading below the blood-pressure limit (hypotension): one open alert."""
    session = in_progress(clinician, nurse, patient)
    services.record_reading(
        actor=nurse,
        session=session,
        values={**GOOD_DURING, "systolic_mmhg": 85},
        taken_at=ago(2),
    )
    return fresh(session)


@pytest.fixture
def session(clinician, nurse, patient_alice):
    return preparing(clinician, nurse, patient_alice)


# --- access --------------------------------------------------------------------------------
def _requests(session, alert):
    """(method, url) of every session page and action."""
    return [
        ("get", reverse("sessions:board")),
        ("get", detail_url(session)),
        ("get", live_url(session)),
        ("get", summary_url(session)),
        ("post", act_url(session, "vitals")),
        ("post", ack_url(session, alert)),
        ("post", reverse("sessions:start", args=[session.appointment.public_id])),
    ]


@pytest.fixture
def alerted(clinician, nurse, patient_alice):
    session = with_alert(clinician, nurse, patient_alice)
    return session, session.alerts.first()


def test_anonymous_visitors_are_sent_to_sign_in(alerted):
    session, alert = alerted
    client = client_for(None)
    login = reverse("accounts:login")
    for method, url in _requests(session, alert):
        response = getattr(client, method)(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url


@pytest.mark.parametrize("who", ["front_desk", "patient_alice", "patient_bob"])
def test_front_desk_and_patients_are_refused(alerted, who, request):
    session, alert = alerted
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    client = client_for(user)
    before = MonitoringAlert.objects.filter(status=AlertStatus.OPEN).count()
    for method, url in _requests(session, alert):
        response = getattr(client, method)(
            url, {"action_taken": "x", "systolic_mmhg": "120", "diastolic_mmhg": "80"}
        )
        assert response.status_code == 403, (who, url)
    assert MonitoringAlert.objects.filter(status=AlertStatus.OPEN).count() == before
    assert fresh(session).readings.count() == 2
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.PAGE_ACCESS_DENIED, actor=user
    ).exists()


def test_a_clinician_of_another_location_does_not_find_the_session(
    alerted, other_location_clinician
):
    session, alert = alerted
    client = client_for(other_location_clinician)
    for method, url in _requests(session, alert)[1:]:
        response = getattr(client, method)(url, {"action_taken": "Seen.", "systolic_mmhg": "120"})
        assert response.status_code == 404, url
    # The board shows nothing of the other location.
    board = client.get(reverse("sessions:board"))
    assert board.status_code == 200
    assert session.patient.display_name not in text(board)
    assert str(session.public_id) not in text(board)
    assert not AuditEvent.objects.filter(
        event_type=AuditEventType.SESSION_VIEWED, actor=other_location_clinician
    ).exists()


def test_unknown_ids_and_actions_are_not_found(alerted, nurse):
    session, alert = alerted
    client = client_for(nurse)
    unknown = uuid.uuid4()
    for name in ("sessions:detail", "sessions:live", "sessions:summary"):
        assert client.get(reverse(name, args=[unknown])).status_code == 404, name
    assert client.post(reverse("sessions:act", args=[unknown, "vitals"])).status_code == 404
    assert (
        client.post(
            reverse("sessions:acknowledge", args=[unknown, alert.public_id]),
            {"action_taken": "Seen."},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("sessions:acknowledge", args=[session.public_id, unknown]),
            {"action_taken": "Seen."},
        ).status_code
        == 404
    )
    assert client.post(reverse("sessions:start", args=[unknown])).status_code == 404
    for slug in ("delete", "ACTIONS", "no-such-action", "vitals2"):
        assert client.post(act_url(session, slug), {"x": "1"}, **HX).status_code == 404, slug
    # Not a UUID at all: the URL does not match.
    assert client.get("/sessions/not-a-uuid/").status_code == 404


def test_an_alert_of_another_session_is_not_found(alerted, clinician, nurse, patient_bob):
    _session, alert = alerted
    other = preparing(clinician, nurse, patient_bob)
    response = client_for(nurse).post(ack_url(other, alert), {"action_taken": "Seen."})
    assert response.status_code == 404
    assert MonitoringAlert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_actions_only_take_posts(alerted, nurse):
    session, alert = alerted
    client = client_for(nurse)
    for action in [*views.ACTIONS, "unknown"]:
        assert client.get(act_url(session, action)).status_code == 405, action
    assert client.get(ack_url(session, alert)).status_code == 405
    assert (
        client.get(reverse("sessions:start", args=[session.appointment.public_id])).status_code
        == 405
    )


@pytest.mark.parametrize("who", ["nurse", "clinician", "medical_director"])
def test_clinical_staff_open_every_page(session, who, request):
    client = client_for(request.getfixturevalue(who))
    for url in (
        reverse("sessions:board"),
        detail_url(session),
        live_url(session),
        summary_url(session),
    ):
        assert client.get(url).status_code == 200, (who, url)


# --- audit ---------------------------------------------------------------------------------
def test_opening_the_session_is_audited_but_polling_the_live_region_is_not(session, nurse):
    client = client_for(nurse)
    assert client.get(detail_url(session)).status_code == 200
    viewed = AuditEvent.objects.filter(event_type=AuditEventType.SESSION_VIEWED)
    assert viewed.count() == 1
    event = viewed.get()
    assert event.actor == nurse
    assert event.patient_id == session.patient_id
    assert event.location_id == session.location_id
    assert event.target_type == TreatmentSession._meta.label_lower
    assert event.target_id == str(session.pk)

    before = AuditEvent.objects.count()
    for _ in range(5):
        response = client.get(live_url(session), **HX)
        assert response.status_code == 200
        assert 'id="live"' in text(response)
    assert AuditEvent.objects.count() == before

    assert client.get(summary_url(session)).status_code == 200
    summary = viewed.order_by("-id").first()
    assert viewed.count() == 2 and summary.details == {"view": "summary"}


# --- every action: HTMX fragment, redirect without JavaScript -------------------------------
def _checklist_payload(session):
    return {
        "identity_confirmed": "on",
        "fasting_confirmed": "yes",
        "escort_name": "Sam Moreno",
        "escort_phone": "555-0100",
        "escort_confirmed": "yes",
        "pregnancy_test": "negative",
        "pregnancy_test_note": "",
    }


def _cadss_answers():
    items = [name for name in forms.DissociationForm().fields if name.startswith("cadss")]
    return {**dict.fromkeys(items, "1"), "moment": "peak"}


SUCCESS = {
    # action: (state, actor, payload(session), notice, check(session))
    "checklist": (
        preparing,
        "nurse",
        _checklist_payload,
        "Checklist saved.",
        lambda s: s.identity_confirmed_at is not None and s.escort_name == "Sam Moreno",
    ),
    "vitals": (
        preparing,
        "nurse",
        lambda s: {k: str(v) for k, v in GOOD_PRE_DOSE.items()},
        "Vital signs saved",
        lambda s: s.readings.count() == 1 and s.weight_kg == Decimal("70.0"),
    ),
    "override": (
        preparing,
        "clinician",
        lambda s: {"gate": "fasting", "reason": "Ate a biscuit 8 hours ago; discussed."},
        "Override documented.",
        lambda s: s.overrides.filter(gate="fasting").exists(),
    ),
    "stop": (
        preparing,
        "nurse",
        lambda s: {"reason": "Unwell today."},
        "The session is stopped: no dose given.",
        lambda s: s.status == SessionStatus.NOT_DONE,
    ),
    "confirm": (
        ready,
        "nurse",
        lambda s: {
            "expected_dose_mg": str(dose_now(s)),
            "vial_lot": "KT-2291",
            "vial_expiry": str(timezone.localdate() + timedelta(days=200)),
        },
        "Dose confirmed.",
        lambda s: s.dose_confirmed_at is not None,
    ),
    "withdraw": (
        confirmed,
        "nurse",
        lambda s: {},
        "Dose confirmation withdrawn.",
        lambda s: s.dose_confirmed_at is None,
    ),
    "verify": (
        confirmed,
        "clinician",
        lambda s: {"dose_mg": str(s.dose_mg), "vial_lot": "kt-2291", "password": PASSWORD},
        "Dose verified.",
        lambda s: s.dose_verified_at is not None,
    ),
    "infusion": (
        verified,
        "nurse",
        lambda s: {"kind": "start"},
        "Dose given / infusion started at",
        lambda s: s.status == SessionStatus.IN_PROGRESS and s.dosed_at is not None,
    ),
    "side_effect": (
        in_progress,
        "nurse",
        lambda s: {
            "kind": "nausea_vomiting",
            "severity": "mild",
            "interventions": ["antiemetic", "reassurance"],
            "outcome": "resolved",
        },
        "Side effect recorded.",
        lambda s: s.side_effects.count() == 1,
    ),
    "medication": (
        in_progress,
        "nurse",
        lambda s: {
            "medication": "ondansetron",
            "dose_amount": "4",
            "dose_unit": "mg",
            "route": "IV",
            "reason": "Nausea",
        },
        "Medication recorded.",
        lambda s: s.administrations.count() == 1,
    ),
    "dissociation": (
        in_progress,
        "nurse",
        lambda s: _cadss_answers(),
        "CADSS-6 recorded: 6 of 24 (at its height",
        lambda s: s.dissociation_ratings.count() == 1,
    ),
    "discharge": (
        observed,
        "nurse",
        lambda s: {**ALL_TWOS, "escort_present": "on", "instructions_given": "on"},
        "Discharged.",
        lambda s: s.status == SessionStatus.DISCHARGED,
    ),
    "sign": (
        discharged,
        "nurse",
        lambda s: {"role": "nurse", "password": PASSWORD},
        "Signed. The second signature locks the record.",
        lambda s: s.signatures.filter(role="nurse").exists(),
    ),
    "addendum": (
        locked,
        "clinician",
        lambda s: {"text": "Patient phoned: home safely."},
        "Addendum added.",
        lambda s: s.addenda.count() == 1,
    ),
}


def test_every_action_has_a_success_case():
    assert set(SUCCESS) == set(views.ACTIONS)


@pytest.mark.parametrize("action", sorted(SUCCESS))
def test_an_action_from_the_tablet_returns_the_panels(action, clinician, nurse, patient_alice):
    state, actor, payload, notice, check = SUCCESS[action]
    session = state(clinician, nurse, patient_alice)
    user = {"nurse": nurse, "clinician": clinician}[actor]
    response = client_for(user).post(act_url(session, action), payload(session), **HX)
    body = text(response)
    assert response.status_code == 200, body[:3000]
    assert response["HX-Trigger"] == "session-changed"
    assert body.lstrip().startswith('<div id="panels"')
    assert "<html" not in body and 'id="live"' not in body
    assert escape(notice) in body
    assert check(fresh(session))


@pytest.mark.parametrize("action", sorted(SUCCESS))
def test_an_action_without_javascript_redirects_to_the_page(
    action, clinician, nurse, patient_alice
):
    state, actor, payload, notice, check = SUCCESS[action]
    session = state(clinician, nurse, patient_alice)
    client = client_for({"nurse": nurse, "clinician": clinician}[actor])
    response = client.post(act_url(session, action), payload(session))
    assert response.status_code == 302, text(response)[:3000]
    assert response["Location"] == detail_url(session)
    assert check(fresh(session))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert escape(notice) in text(page)


# --- refusals keep what was typed ----------------------------------------------------------
def test_vitals_out_of_range_show_the_page_again_with_the_values_typed(session, nurse):
    client = client_for(nurse)
    typed = {
        "systolic_mmhg": "1200",
        "diastolic_mmhg": "80",
        "heart_rate_bpm": "77",
        "spo2_pct": "97",
        "temperature_c": "36.6",
    }
    response = client.post(act_url(session, "vitals"), typed)
    assert response.status_code == 400
    body = text(response)
    assert "<html" in body and 'id="live"' in body and 'id="panels"' in body
    kept = form_data(response, "form-vitals")
    assert kept["systolic_mmhg"] == "1200"
    assert kept["heart_rate_bpm"] == "77"
    assert kept["diastolic_mmhg"] == "80" and kept["temperature_c"] == "36.6"
    # The error sits beside the systolic field, not elsewhere.
    systolic = field_html(body, "form-vitals", "systolic_mmhg")
    assert systolic.startswith(" field-error")
    assert "Ensure this value is less than or equal to 300." in systolic
    heart_rate = field_html(body, "form-vitals", "heart_rate_bpm")
    assert not heart_rate.startswith(" field-error") and "error-text" not in heart_rate
    assert fresh(session).readings.count() == 0

    htmx = client.post(act_url(session, "vitals"), typed, **HX)
    assert htmx.status_code == 400
    assert htmx["HX-Trigger"] == "session-changed"
    assert "<html" not in text(htmx) and 'id="panels"' in text(htmx)
    assert form_data(htmx, "form-vitals")["heart_rate_bpm"] == "77"


def test_a_refused_checklist_keeps_what_was_typed(session, nurse):
    client = client_for(nurse)
    typed = {
        "identity_confirmed": "on",
        "fasting_confirmed": "yes",
        "escort_name": "",
        "escort_phone": "555-0199",
        "escort_confirmed": "yes",
        "pregnancy_test": "negative",
    }
    response = client.post(act_url(session, "checklist"), typed)
    assert response.status_code == 400
    body = text(response)
    assert "<html" in body  # without JavaScript: the whole page again
    assert "Name the escort or driver." in body
    kept = form_data(response, "form-checklist")
    assert kept["escort_phone"] == "555-0199"
    assert kept["escort_confirmed"] == "yes" and kept["fasting_confirmed"] == "yes"
    assert kept["identity_confirmed"] == "on"
    # Nothing was written: the service refuses the whole change.
    stored = fresh(session)
    assert stored.identity_confirmed_at is None and stored.escort_confirmed is None

    htmx = client.post(act_url(session, "checklist"), typed, **HX)
    assert htmx.status_code == 400 and "Name the escort or driver." in text(htmx)
    assert htmx["HX-Trigger"] == "session-changed"


def test_a_refused_action_from_the_tablet_comes_back_with_its_status(
    clinician, nurse, patient_alice
):
    session = in_progress(clinician, nurse, patient_alice)
    client = client_for(nurse)
    # Only a clinician overrides the discharge criteria: 403, beside the discharge form.
    typed = {**ALL_TWOS, "escort_present": "on", "override_reason": "Looks fine to me."}
    response = client.post(act_url(session, "discharge"), typed, **HX)
    assert response.status_code == 403
    assert response["HX-Trigger"] == "session-changed"
    form_html = text(response).split('id="form-discharge"', 1)[1].split("</form>", 1)[0]
    assert "override the discharge criteria" in form_html
    assert form_data(response, "form-discharge")["override_reason"] == "Looks fine to me."
    # A step the session is past: 409 (its message: see the stale-page test below).
    response = client.post(act_url(session, "stop"), {"reason": "Changed my mind."}, **HX)
    assert response.status_code == 409
    assert response["HX-Trigger"] == "session-changed" and 'id="panels"' in text(response)
    assert fresh(session).status == SessionStatus.IN_PROGRESS


def test_a_nurse_cannot_override_a_gate(session, nurse):
    response = client_for(nurse).post(
        act_url(session, "override"),
        {"gate": "fasting", "reason": "Ate a biscuit 8 hours ago; discussed."},
        **HX,
    )
    assert response.status_code == 403
    assert not session.overrides.exists()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SESSION_GATE_OVERRIDDEN, outcome="denied", actor=nurse
    ).exists()


def test_a_stale_page_is_told_why_its_action_was_refused(clinician, nurse, patient_alice, location):
    session = observed(clinician, nurse, patient_alice)
    nora = client_for(nurse)
    stale = form_data(nora.get(detail_url(session)), "form-discharge")
    stale.update(ALL_TWOS, escort_present="on", instructions_given="on")
    nadia = client_for(second_nurse(location))
    assert nadia.post(act_url(session, "discharge"), stale, **HX).status_code == 200
    response = nora.post(act_url(session, "discharge"), stale, **HX)
    assert response.status_code == 409
    assert "the session is discharged, awaiting signatures" in text(response)


# --- garbage never makes a 500 -------------------------------------------------------------
JUNK = [
    "abc",
    "x" * 6000,
    "unknown-choice",
    "-1",
    "0",
    "1e999",
    "NaN",
    "-Infinity",
    "9" * 40,
    "12.345",
    "   ",
    "<script>alert(1)</script>",
    "٣٤",
    "2024-13-45",
    "25:99",
    "\u202e\ufeff",
    "1\x00",
]


def _field_names(action):
    form_class = views.ACTIONS[action][0]
    if form_class is None:
        return ["anything"]
    if form_class is forms.MedicationForm:
        return list(form_class(side_effects=()).fields)
    return list(form_class().fields)


def _garbage(action):
    names = _field_names(action)
    payloads = [{}]
    payloads += [dict.fromkeys(names, value) for value in JUNK]
    payloads.append({name: ["1", "abc", "2"] for name in names})
    payloads.append({f"was_{name}": "\x00zz" for name in names} | {"gate": "identity"})
    return payloads


def _assert_never_fails(client, session, action, payloads, *, plain_every=3):
    """Each payload from the tablet; every `plain_every`-th also as a plain post (full page)."""
    url = act_url(session, action)
    for number, payload in enumerate(payloads):
        for headers in (HX, {}) if number % plain_every == 0 else (HX,):
            response = client.post(url, payload, **headers)
            assert response.status_code in ALLOWED_STATUSES, (
                action,
                {k: str(v)[:40] for k, v in payload.items()},
                response.status_code,
                text(response)[-2000:],
            )


@pytest.mark.parametrize("state", [ready, in_progress, locked], ids=lambda s: s.__name__)
@pytest.mark.parametrize("action", sorted(views.ACTIONS))
def test_garbage_never_fails_an_action(state, action, clinician, nurse, patient_alice):
    session = state(clinician, nurse, patient_alice)
    _assert_never_fails(client_for(clinician), session, action, _garbage(action))


@pytest.mark.parametrize("action", sorted(SUCCESS))
def test_one_wrong_field_at_a_time_never_fails(action, clinician, nurse, patient_alice):
    """The valid entry with one field spoiled at a time reaches the services' own checks."""
    state, actor, payload, _notice, _check = SUCCESS[action]
    session = state(clinician, nurse, patient_alice)
    client = client_for({"nurse": nurse, "clinician": clinician}[actor])
    good = payload(session)
    spoiled = []
    for name in _field_names(action):
        for value in ("abc", "9" * 30, "x" * 2500, "-1", "", "23:59"):
            spoiled.append({**good, name: value})
    _assert_never_fails(client, session, action, spoiled)


def test_a_nul_character_in_a_form_post_is_refused(session, nurse):
    client = client_for(nurse)
    response = client.post(
        act_url(session, "stop"),
        "reason=unwell%00today",
        content_type="application/x-www-form-urlencoded",
        **HX,
    )
    assert response.status_code == 400
    assert fresh(session).status == SessionStatus.PREPARATION
    # Multipart posts get past the middleware; the form field refuses the character.
    response = client.post(act_url(session, "stop"), {"reason": "unwell\x00today"}, **HX)
    assert response.status_code == 400
    assert "Null characters are not allowed." in text(response)
    assert fresh(session).status == SessionStatus.PREPARATION


def test_garbage_never_fails_acknowledge(alerted, nurse):
    session, alert = alerted
    client = client_for(nurse)
    for value in ["", "   ", "x" * 5000, "\x00", ["a", "b"]]:
        for headers in (HX, {}):
            response = client.post(ack_url(session, alert), {"action_taken": value}, **headers)
            assert response.status_code in ALLOWED_STATUSES, (value, response.status_code)


VITAL_NAMES = list(forms.VitalsForm.base_fields)
VITAL_VALUES = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.integers(min_value=0, max_value=400).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["", "on", "12:30", "00:00", "99:99", "1e5", "36.6", "70.0"]),
)


@pytest.fixture
def vitals_client(nurse):
    return client_for(nurse)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.dictionaries(st.sampled_from(VITAL_NAMES), VITAL_VALUES, max_size=len(VITAL_NAMES)),
    htmx=st.booleans(),
)
def test_random_vital_signs_never_fail(session, vitals_client, data, htmx):
    response = vitals_client.post(act_url(session, "vitals"), data, **(HX if htmx else {}))
    assert response.status_code in ALLOWED_STATUSES, (data, text(response)[-2000:])
    if response.status_code == 400:
        assert "error" in text(response)


# --- two nurses at the checklist -----------------------------------------------------------
def test_two_nurses_ticking_different_items_both_keep_theirs(session, nurse, location):
    nadia = second_nurse(location)
    nora_client, nadia_client = client_for(nurse), client_for(nadia)
    nora_form = form_data(nora_client.get(detail_url(session)), "form-checklist")
    nadia_form = form_data(nadia_client.get(detail_url(session)), "form-checklist")
    assert nora_form["was_identity_confirmed"] == "" and nadia_form["was_fasting_confirmed"] == ""

    nora_form["identity_confirmed"] = "on"
    response = nora_client.post(act_url(session, "checklist"), nora_form, **HX)
    assert response.status_code == 200 and "Checklist saved." in text(response)
    assert fresh(session).identity_confirmed_at is not None

    # Nadia's page still shows identity unticked; she only sets fasting.
    assert "identity_confirmed" not in nadia_form
    nadia_form["fasting_confirmed"] = "yes"
    response = nadia_client.post(act_url(session, "checklist"), nadia_form, **HX)
    assert response.status_code == 200 and "Checklist saved." in text(response)

    stored = fresh(session)
    assert stored.identity_confirmed_at is not None
    assert stored.identity_confirmed_by == nurse
    assert stored.fasting_confirmed is True
    assert stored.checklist_updated_by == nadia
    # Nadia's panels now show both ticks, and her next form carries them as the old values.
    after = form_data(response, "form-checklist")
    assert after["identity_confirmed"] == "on" and after["was_identity_confirmed"] == "on"
    assert after["fasting_confirmed"] == "yes" and after["was_fasting_confirmed"] == "yes"


def test_unticking_on_a_stale_page_is_not_undone_by_someone_else_saving(session, nurse, location):
    """Nora unticks identity; Nadia (who saw it ticked and did not touch it) saves fasting."""
    services.update_checklist(actor=nurse, session=session, changes={"identity_confirmed": True})
    nadia = second_nurse(location)
    nadia_client = client_for(nadia)
    nadia_form = form_data(nadia_client.get(detail_url(session)), "form-checklist")
    assert nadia_form["identity_confirmed"] == "on"

    nora_client = client_for(nurse)
    nora_form = form_data(nora_client.get(detail_url(session)), "form-checklist")
    del nora_form["identity_confirmed"]
    assert nora_client.post(act_url(session, "checklist"), nora_form, **HX).status_code == 200
    assert fresh(session).identity_confirmed_at is None

    nadia_form["fasting_confirmed"] = "no"
    assert nadia_client.post(act_url(session, "checklist"), nadia_form, **HX).status_code == 200
    stored = fresh(session)
    assert stored.identity_confirmed_at is None and stored.fasting_confirmed is False


def test_saving_an_unchanged_checklist_writes_nothing(session, nurse):
    client = client_for(nurse)
    unchanged = form_data(client.get(detail_url(session)), "form-checklist")
    before = AuditEvent.objects.filter(event_type=AuditEventType.SESSION_CHECKLIST_UPDATED).count()
    response = client.post(act_url(session, "checklist"), unchanged, **HX)
    assert response.status_code == 200 and "Nothing changed on the checklist." in text(response)
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.SESSION_CHECKLIST_UPDATED).count()
        == before
    )


# --- the dose ------------------------------------------------------------------------------
def _weigh_again(nurse, session, kg: str):
    services.record_reading(
        actor=nurse, session=session, values={**GOOD_PRE_DOSE, "weight_kg": Decimal(kg)}
    )


def _stale_confirmation(clinician, nurse, patient, location):
    """The nurse's page shows 35.0 mg; someone re-weighs the patient (80 kg: 40.0 mg); she then
    confirms from the page she has. Returns the session, her client and her form."""
    session = ready(clinician, nurse, patient)
    client = client_for(nurse)
    page = client.get(detail_url(session))
    shown = form_data(page, "form-confirm")
    assert shown["expected_dose_mg"] == "35.0"
    assert 'id="dose-mg">35.0 mg' in text(page)
    _weigh_again(second_nurse(location), session, "80.0")
    shown.update(vial_lot="KT-2291", vial_expiry=str(timezone.localdate() + timedelta(days=90)))
    return session, client, shown


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_confirming_a_dose_that_changed_meanwhile_is_refused(
    htmx, clinician, nurse, patient_alice, location
):
    session, client, shown = _stale_confirmation(clinician, nurse, patient_alice, location)
    response = client.post(act_url(session, "confirm"), shown, **(HX if htmx else {}))
    assert response.status_code == 400
    assert fresh(session).dose_confirmed_at is None
    assert 'id="dose-mg">40.0 mg' in text(response)  # the dose shown is the new one
    assert form_data(response, "form-confirm")["vial_lot"] == "KT-2291"  # kept as typed


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_stale_dose_refusal_names_the_new_dose(htmx, clinician, nurse, patient_alice, location):
    session, client, shown = _stale_confirmation(clinician, nurse, patient_alice, location)
    response = client.post(act_url(session, "confirm"), shown, **(HX if htmx else {}))
    assert response.status_code == 400
    assert "The dose is now 40.0 mg" in text(response)


def test_after_a_stale_dose_refusal_the_form_confirms_the_dose_shown(
    clinician, nurse, patient_alice, location
):
    session, client, shown = _stale_confirmation(clinician, nurse, patient_alice, location)
    response = client.post(act_url(session, "confirm"), shown, **HX)
    assert response.status_code == 400
    again = form_data(response, "form-confirm")
    assert again["expected_dose_mg"] == "40.0"
    assert client.post(act_url(session, "confirm"), again, **HX).status_code == 200
    assert fresh(session).dose_mg == Decimal("40.0")


def _refused_at_top(response) -> str:
    """The refusal shown at the top of the panels."""
    return text(response).split('id="refused"', 1)[1].split("</div>", 1)[0]


def _with_vial(form: dict, lot: str) -> dict:
    return {**form, "vial_lot": lot, "vial_expiry": str(timezone.localdate() + timedelta(days=90))}


def test_a_second_nurse_on_an_older_page_cannot_replace_a_confirmation(
    clinician, nurse, patient_alice, location
):
    """Nurse A confirms LOT-A; nurse B, whose page still shows the confirm form, confirms LOT-B:
    refused at the top of the panels, naming who confirmed what. A withdraws; B confirms (on the
    panels the refusal returned): B's stands, and the verification applies to B's."""
    session = ready(clinician, nurse, patient_alice)
    nadia = second_nurse(location)
    nora_client, nadia_client = client_for(nurse), client_for(nadia)
    nora_form = form_data(nora_client.get(detail_url(session)), "form-confirm")
    nadia_form = form_data(nadia_client.get(detail_url(session)), "form-confirm")
    assert nadia_form["version"] == str(fresh(session).version)

    confirmed_a = nora_client.post(
        act_url(session, "confirm"), _with_vial(nora_form, "LOT-A"), **HX
    )
    assert confirmed_a.status_code == 200

    refused = nadia_client.post(act_url(session, "confirm"), _with_vial(nadia_form, "LOT-B"), **HX)
    assert refused.status_code == 409
    top = _refused_at_top(refused)
    assert "This session changed since you opened it" in top
    assert f"{escape(nurse.full_name)} confirmed 35.0 mg, vial lot LOT-A" in top
    stored = fresh(session)
    assert stored.vial_lot == "LOT-A" and stored.dose_confirmed_by == nurse

    withdraw = form_data(confirmed_a, "form-withdraw")
    assert nora_client.post(act_url(session, "withdraw"), withdraw, **HX).status_code == 200
    assert fresh(session).dose_confirmed_at is None

    # Nadia posts from her first page again: the withdrawal is news to it, so it is refused
    # too, and the panels it gets back offer the confirm form with her lot and the new version.
    again = nadia_client.post(act_url(session, "confirm"), _with_vial(nadia_form, "LOT-B"), **HX)
    assert again.status_code == 409 and "No dose is confirmed now." in _refused_at_top(again)
    current = form_data(again, "form-confirm")
    assert current["vial_lot"] == "LOT-B"  # kept as typed
    confirmed_b = nadia_client.post(act_url(session, "confirm"), current, **HX)
    assert confirmed_b.status_code == 200, _refused_at_top(confirmed_b)
    stored = fresh(session)
    assert stored.vial_lot == "LOT-B" and stored.dose_confirmed_by == nadia

    # Nurse A, now the second person, verifies Nadia's LOT-B from a page showing it.
    verify = form_data(nora_client.get(detail_url(session)), "form-verify")
    verify.update(dose_mg="35.0", vial_lot="LOT-B", password=PASSWORD)
    assert nora_client.post(act_url(session, "verify"), verify, **HX).status_code == 200
    stored = fresh(session)
    assert stored.dose_verified_by == nurse and stored.dose_confirmed_by == nadia
    assert stored.vial_lot == "LOT-B"


def test_a_verification_from_a_page_opened_before_the_dose_was_redone_is_refused(
    clinician, nurse, patient_alice
):
    session = confirmed(clinician, nurse, patient_alice)
    clinician_client = client_for(clinician)
    verify = form_data(clinician_client.get(detail_url(session)), "form-verify")
    services.withdraw_dose_confirmation(actor=nurse, session=session)
    services.confirm_dose(
        actor=nurse,
        session=session,
        expected_dose_mg=dose_now(session),
        vial_lot="KT-7777",
        vial_expiry=timezone.localdate() + timedelta(days=200),
    )
    verify.update(dose_mg="35.0", vial_lot="KT-7777", password=PASSWORD)
    refused = clinician_client.post(act_url(session, "verify"), verify, **HX)
    assert refused.status_code == 409
    assert "This session changed since you opened it" in _refused_at_top(refused)
    assert fresh(session).dose_verified_at is None
    # The panels now carry the current version: the check done again goes through.
    again = form_data(refused, "form-verify")
    assert again["vial_lot"] == "KT-7777"
    again["password"] = PASSWORD
    assert clinician_client.post(act_url(session, "verify"), again, **HX).status_code == 200
    assert fresh(session).dose_verified_by == clinician


def test_the_dose_is_not_given_from_a_stale_page(clinician, nurse, patient_alice):
    session = verified(clinician, nurse, patient_alice)
    client = client_for(nurse)
    start = form_data(client.get(detail_url(session)), "form-start")
    services.withdraw_dose_confirmation(actor=nurse, session=session)
    refused = client.post(act_url(session, "infusion"), start)
    assert refused.status_code == 409 and "<html" in text(refused)
    assert "This session changed since you opened it" in text(refused)
    assert fresh(session).dosed_at is None


def test_a_withdrawal_from_a_stale_page_is_refused(clinician, nurse, patient_alice, location):
    session = confirmed(clinician, nurse, patient_alice)
    client = client_for(second_nurse(location))
    withdraw = form_data(client.get(detail_url(session)), "form-withdraw")
    services.verify_dose(
        actor=clinician, session=session, dose_mg="35.0", vial_lot="KT-2291", password=PASSWORD
    )
    refused = client.post(act_url(session, "withdraw"), withdraw, **HX)
    assert refused.status_code == 409
    assert f"{escape(clinician.full_name)} verified it at" in _refused_at_top(refused)
    assert fresh(session).dose_verified_at is not None


def test_the_confirmed_dose_is_hidden_until_a_second_person_checks_it_blind(
    clinician, nurse, patient_alice, location
):
    session = ready(clinician, nurse, patient_alice)
    client = client_for(nurse)
    response = client.post(
        act_url(session, "confirm"),
        {
            "expected_dose_mg": "35.0",
            "vial_lot": "KT-2291",
            "vial_expiry": str(timezone.localdate() + timedelta(days=200)),
        },
        **HX,
    )
    assert response.status_code == 200
    for body in (text(response), text(client.get(detail_url(session)))):
        panel = body.split('id="dose-h"', 1)[1].split('class="stop"', 1)[0]
        # The check form is offered on the confirmer's own tablet, and shows neither the
        # confirmed dose, its working nor the lot: only what the checker works from.
        assert 'id="form-verify"' in panel and "Checker&#x27;s e-mail" in panel
        assert "35.0 mg" not in panel and "KT-2291" not in panel
        assert "0.5 mg/kg" in panel and "70.0 kg" in panel

    # The confirmer cannot be the second person, with or without typing their own e-mail.
    for email in ("", nurse.email):
        refused = client.post(
            act_url(session, "verify"),
            {
                "dose_mg": "35.0",
                "vial_lot": "KT-2291",
                "verifier_email": email,
                "password": PASSWORD,
            },
            **HX,
        )
        assert refused.status_code == 400
        assert "A second member of staff verifies the dose" in text(refused)
    assert fresh(session).dose_verified_at is None

    # A second nurse's wrong password is refused beside it; a wrong dose names neither the dose
    # nor the lot confirmed.
    nadia = second_nurse(location)
    wrong = client.post(
        act_url(session, "verify"),
        {"dose_mg": "35.0", "vial_lot": "KT-2291", "verifier_email": nadia.email, "password": "no"},
        **HX,
    )
    assert wrong.status_code == 400 and "do not match a member of staff" in text(wrong)
    assert form_data(wrong, "form-verify")["dose_mg"] == "35.0"
    mismatch = client.post(
        act_url(session, "verify"),
        {
            "dose_mg": "3.5",
            "vial_lot": "KT-2291",
            "verifier_email": nadia.email,
            "password": PASSWORD,
        },
        **HX,
    )
    assert mismatch.status_code == 400
    assert "3.5 mg does not match the confirmed dose." in text(mismatch)
    assert "35.0 mg" not in text(mismatch).split('id="dose-h"', 1)[1].split('class="stop"', 1)[0]
    assert fresh(session).dose_verified_at is None

    # Her own e-mail and password on the nurse's tablet: verified, the nurse still signed in.
    done = client.post(
        act_url(session, "verify"),
        {
            "dose_mg": "35.0",
            "vial_lot": "kt-2291",
            "verifier_email": nadia.email,
            "password": PASSWORD,
        },
        **HX,
    )
    assert done.status_code == 200, text(done)
    assert fresh(session).dose_verified_by == nadia
    assert client.get(detail_url(session)).wsgi_request.user == nurse
    assert "35.0 mg" in text(done)


def test_the_confirmer_is_told_why_verify_was_refused(clinician, nurse, patient_alice):
    session = confirmed(clinician, nurse, patient_alice)
    refused = client_for(nurse).post(
        act_url(session, "verify"),
        {"dose_mg": "35.0", "vial_lot": "KT-2291", "password": PASSWORD},
        **HX,
    )
    assert refused.status_code == 400
    assert "A second member of staff verifies the dose" in text(refused)


def test_a_refused_withdraw_from_the_tablet_returns_the_panels(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    response = client_for(nurse).post(act_url(session, "withdraw"), **HX)
    assert response.status_code == 409
    assert response["HX-Trigger"] == "session-changed"
    assert "<html" not in text(response) and 'id="panels"' in text(response)
    assert "The dose is not confirmed." in text(response)


def test_a_refused_withdraw_without_javascript_shows_the_page_with_the_message(
    clinician, nurse, patient_alice
):
    session = ready_to_dose(clinician, nurse, patient_alice)
    client = client_for(nurse)
    response = client.post(act_url(session, "withdraw"))
    assert response.status_code == 409 and "<html" in text(response)
    assert "The dose is not confirmed." in text(response)


# --- discharge -----------------------------------------------------------------------------
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_refused_discharge_lists_each_reason_and_keeps_the_scores(
    htmx, clinician, nurse, patient_alice
):
    session = in_progress(clinician, nurse, patient_alice)  # dosed 10 minutes ago, running
    typed = {
        "activity": "2",
        "respiration": "1",
        "circulation": "2",
        "consciousness": "1",
        "oxygen_saturation": "2",
        "override_reason": "",
    }
    response = client_for(nurse).post(act_url(session, "discharge"), typed, **(HX if htmx else {}))
    assert response.status_code == 400
    body = text(response)
    form_html = body.split('id="form-discharge"', 1)[1].split("</form>", 1)[0]
    for reason in (
        "Not ready for discharge:",
        "Observation time: 60 minutes after the end of the infusion are required",
        "The infusion has not been stopped or completed.",
        "Modified Aldrete score 8 is below 9.",
        "Take a set of vital signs after dosing, before discharge.",
        "No escort is present to take the patient home.",
        "The after-care sheet has not been handed over.",
    ):
        assert escape(reason) in form_html, reason
    kept = form_data(response, "form-discharge")
    assert kept["respiration"] == "1" and kept["consciousness"] == "1"
    assert kept["activity"] == "2" and kept["oxygen_saturation"] == "2"
    assert "escort_present" not in kept
    stored = fresh(session)
    assert stored.status == SessionStatus.IN_PROGRESS and stored.aldrete_total == 8
    if htmx:
        assert response["HX-Trigger"] == "session-changed"
    else:
        assert "<html" in body


def test_a_discharge_without_every_score_keeps_the_others(clinician, nurse, patient_alice):
    session = observed(clinician, nurse, patient_alice)
    typed = {**ALL_TWOS, "respiration": "", "circulation": "1", "escort_present": "on"}
    response = client_for(nurse).post(act_url(session, "discharge"), typed, **HX)
    assert response.status_code == 400
    kept = form_data(response, "form-discharge")
    assert kept["respiration"] == "" and kept["circulation"] == "1"
    assert kept["escort_present"] == "on"
    assert fresh(session).status == SessionStatus.IN_PROGRESS


# --- acknowledging alerts -----------------------------------------------------------------
def test_acknowledging_an_alert_returns_the_live_region_without_it(alerted, nurse, clinician):
    session, _ = alerted
    alerts = list(selectors.open_alerts(session))
    assert alerts
    client = client_for(nurse)
    for alert in alerts:
        response = client.post(ack_url(session, alert), {"action_taken": "Re-measured."}, **HX)
        assert response.status_code == 200
        assert 'id="live"' in text(response) and 'id="panels"' not in text(response)
        assert str(alert.public_id) not in text(response)
        assert escape(alert.message) not in text(response)
    assert 'id="alert-banner"' not in text(response)
    stored = MonitoringAlert.objects.get(pk=alerts[0].pk)
    assert stored.status == AlertStatus.ACKNOWLEDGED and stored.acknowledged_by == nurse
    assert stored.action_taken == "Re-measured."

    again = client_for(clinician).post(
        ack_url(session, alerts[0]), {"action_taken": "Also seen."}, **HX
    )
    assert again.status_code == 409
    assert "Nurse Nora already acknowledged this alert." in text(again)
    assert MonitoringAlert.objects.get(pk=alerts[0].pk).action_taken == "Re-measured."


def test_acknowledging_without_saying_what_was_done_is_refused(alerted, nurse):
    session, alert = alerted
    client = client_for(nurse)
    for empty in ("", "   "):
        response = client.post(ack_url(session, alert), {"action_taken": empty}, **HX)
        assert response.status_code == 400
        assert "Say what was done about the alert." in text(response)
        assert str(alert.public_id) in text(response)  # still open, still shown
    assert MonitoringAlert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_acknowledging_without_javascript_redirects_with_a_message(alerted, nurse):
    session, alert = alerted
    client = client_for(nurse)
    response = client.post(ack_url(session, alert), {"action_taken": "Rested."})
    assert response.status_code == 302 and response["Location"] == detail_url(session)
    assert "Alert acknowledged." in text(client.get(response["Location"]))
    response = client.post(ack_url(session, alert), {"action_taken": "Rested."})
    assert response.status_code == 302
    assert "already acknowledged this alert." in text(client.get(response["Location"]))


def test_a_second_acknowledgement_is_explained_while_another_alert_is_open(
    alerted, nurse, clinician
):
    session, alert = alerted
    services.record_reading(
        actor=nurse, session=session, values={**GOOD_DURING, "spo2_pct": 85}, taken_at=ago(1)
    )
    assert len(selectors.open_alerts(session)) >= 2
    client_for(nurse).post(ack_url(session, alert), {"action_taken": "Re-measured."}, **HX)
    again = client_for(clinician).post(ack_url(session, alert), {"action_taken": "Seen."}, **HX)
    assert again.status_code == 409
    assert "already acknowledged this alert." in text(again)


# --- the board and starting a session -----------------------------------------------------
def test_the_board_lists_a_checked_in_appointment_to_start(clinician, nurse, patient_bob):
    appointment = checked_in_appointment(patient_bob, booked_by=clinician)
    response = client_for(nurse).get(reverse("sessions:board"))
    assert response.status_code == 200
    body = text(response)
    assert patient_bob.display_name in body
    assert "Start session" in body
    assert reverse("sessions:start", args=[appointment.public_id]) in body


def test_starting_a_booked_appointment_checks_in_and_opens_the_session(
    clinician, nurse, patient_alice
):
    plan_for(clinician, patient_alice)
    appointment = checked_in_appointment(patient_alice, booked_by=clinician)
    Appointment.objects.filter(pk=appointment.pk).update(status="booked", checked_in_at=None)
    client = client_for(nurse)
    board = text(client.get(reverse("sessions:board")))
    assert "Check in and start" in board

    url = reverse("sessions:start", args=[appointment.public_id])
    response = client.post(url)
    assert response.status_code == 302
    session = TreatmentSession.objects.get(appointment=appointment)
    assert response["Location"] == detail_url(session)
    assert Appointment.objects.get(pk=appointment.pk).status == "checked_in"
    assert session.started_by == nurse and session.status == SessionStatus.PREPARATION

    again = client_for(clinician).post(url)
    assert again.status_code == 302 and again["Location"] == detail_url(session)
    assert TreatmentSession.objects.filter(appointment=appointment).count() == 1

    board = text(client.get(reverse("sessions:board")))
    assert detail_url(session) in board and url not in board


def test_starting_without_a_plan_goes_back_to_the_board_with_the_reason(
    clinician, nurse, patient_bob
):
    appointment = checked_in_appointment(patient_bob, booked_by=clinician)
    client = client_for(nurse)
    response = client.post(reverse("sessions:start", args=[appointment.public_id]))
    assert response.status_code == 302 and response["Location"] == reverse("sessions:board")
    assert "no active treatment plan" in text(client.get(response["Location"]))
    assert not TreatmentSession.objects.filter(appointment=appointment).exists()


def test_a_clinician_elsewhere_cannot_start_the_session(
    clinician, patient_alice, other_location_clinician
):
    plan_for(clinician, patient_alice)
    appointment = checked_in_appointment(patient_alice, booked_by=clinician)
    response = client_for(other_location_clinician).post(
        reverse("sessions:start", args=[appointment.public_id])
    )
    assert response.status_code == 404
    assert not TreatmentSession.objects.filter(appointment=appointment).exists()


# --- query counts --------------------------------------------------------------------------
# Measured on SQLite (one request, signed in): the live region 8 queries once dosed with open
# alerts, 7 before dosing; the page 19 once dosed, 25 before dosing (the checklist's gates); the
# summary 20. None of them changes between 10 and 40 readings. Ceilings: measured + 3; the page's
# also count the register's setting (whether doses are drawn from it: clinic.sessions.stock) and
# PostgreSQL's one more statement (the audit chain's advisory lock).
LIVE_MAX_QUERIES = 11
PAGE_MAX_QUERIES_DOSED = 24
PAGE_MAX_QUERIES_BEFORE_DOSING = 30
SUMMARY_MAX_QUERIES = 24


def _add_readings(nurse, session, count: int, *, start: int, values=GOOD_DURING):
    for i in range(count):
        taken = dict(values)
        if values is GOOD_DURING and i % 10 == 0:
            taken["systolic_mmhg"] = 185  # above the limit: raises an alert
        services.record_reading(actor=nurse, session=session, values=taken, taken_at=ago(start - i))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _counts(client, session, urls) -> list[int]:
    return [_count(client, url(session)) for url in urls]


def test_a_dosed_session_runs_the_same_queries_for_10_or_40_readings(
    clinician, nurse, patient_alice, django_assert_max_num_queries
):
    session = dosed(clinician, nurse, patient_alice, at=ago(100))
    client = client_for(nurse)
    urls = (live_url, detail_url, summary_url)
    _add_readings(nurse, session, 9, start=95)  # with the pre-dose reading: 10
    assert fresh(session).readings.count() == 10
    client.get(live_url(session))  # the first request of a client signs it in
    with_10 = _counts(client, session, urls)

    _add_readings(nurse, session, 30, start=80)
    assert fresh(session).readings.count() == 40
    assert MonitoringAlert.objects.filter(session=session, status="open").count() >= 3
    with_40 = _counts(client, session, urls)
    assert with_40 == with_10, (with_10, with_40)

    with django_assert_max_num_queries(LIVE_MAX_QUERIES):
        response = client.get(live_url(session), **HX)
    body = text(response)
    assert body.count("<tr") == 41  # the header and 40 readings
    assert body.count("data-alert=") >= 3  # one banner entry per alerting reading
    with django_assert_max_num_queries(PAGE_MAX_QUERIES_DOSED):
        assert client.get(detail_url(session)).status_code == 200
    with django_assert_max_num_queries(SUMMARY_MAX_QUERIES):
        assert client.get(summary_url(session)).status_code == 200


def test_the_page_before_dosing_runs_the_same_queries_for_10_or_40_readings(
    clinician, nurse, patient_alice, django_assert_max_num_queries
):
    session = ready(clinician, nurse, patient_alice)
    client = client_for(nurse)
    urls = (live_url, detail_url)
    _add_readings(nurse, session, 9, start=100, values=GOOD_PRE_DOSE)
    client.get(live_url(session))
    with_10 = _counts(client, session, urls)
    _add_readings(nurse, session, 30, start=80, values=GOOD_PRE_DOSE)
    assert fresh(session).readings.count() == 40
    with_40 = _counts(client, session, urls)
    assert with_40 == with_10, (with_10, with_40)
    with django_assert_max_num_queries(LIVE_MAX_QUERIES):
        assert client.get(live_url(session), **HX).status_code == 200
    with django_assert_max_num_queries(PAGE_MAX_QUERIES_BEFORE_DOSING):
        assert client.get(detail_url(session)).status_code == 200


# --- the summary and the chart ------------------------------------------------------------
def test_the_summary_shows_the_record_and_says_it_is_not_yet_signed(
    clinician, nurse, patient_alice
):
    session = discharged(clinician, nurse, patient_alice)
    services.sign_session(actor=nurse, session=session, role="nurse", password=PASSWORD)
    client = client_for(clinician)
    response = client.get(summary_url(session))
    assert response.status_code == 200
    body = text(response)
    assert "35.0 mg" in body and "KT-2291" in body
    assert "124/78" in body and "132/82" in body  # pre-dose and during readings
    assert escape(nurse.signature_name) in body  # confirmed the dose, signed as nurse
    assert escape(clinician.signature_name) in body  # verified the dose
    assert "Nurse: " + escape(nurse.signature_name) in body
    assert "not yet signed" in body
    assert "Locked" not in body
    # Oldest reading first on the printed record.
    assert body.index("124/78") < body.index("132/82")

    services.sign_session(actor=clinician, session=session, role="clinician", password=PASSWORD)
    body = text(client.get(summary_url(session)))
    assert "not yet signed" not in body
    assert "Supervising clinician: " + escape(clinician.signature_name) in body
    assert "Locked" in body and fresh(session).content_sha256 in body


def test_what_was_done_about_a_side_effect_is_shown_in_words(clinician, nurse, patient_alice):
    session = dosed(clinician, nurse, patient_alice)
    services.record_side_effect(
        actor=nurse,
        session=session,
        kind="nausea_vomiting",
        severity="mild",
        onset_at=timezone.now(),
        interventions=["rate_reduced", "antiemetic"],
        outcome="resolved",
    )
    client = client_for(nurse)
    summary = text(client.get(summary_url(session)))
    assert "Infusion rate reduced, Antiemetic given" in summary and "rate_reduced" not in summary
    # The session page's record (its form's option values are codes, as HTML needs).
    assert "Infusion rate reduced, Antiemetic given" in text(client.get(detail_url(session)))


def test_the_summary_of_a_session_without_a_dose(session, nurse):
    services.stop_before_dosing(actor=nurse, session=session, reason="Blood pressure too high.")
    body = text(client_for(nurse).get(summary_url(session)))
    assert "No dose." in body and "Blood pressure too high." in body
    assert "not yet signed" in body


def test_the_chart_lists_the_sessions_with_links(clinician, nurse, patient_alice):
    session = dosed(clinician, nurse, patient_alice, at=ago(10))
    response = client_for(clinician).get(
        reverse("patients:chart", args=[patient_alice.public_id]) + "?section=sessions"
    )
    assert response.status_code == 200
    body = text(response)
    assert detail_url(session) in body and summary_url(session) in body
    assert "35.0 mg" in body and escape(session.get_status_display()) in body
