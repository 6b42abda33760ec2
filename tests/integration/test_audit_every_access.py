"""Every URL and every API operation, as every role: each clinical read (a 200 that shows a
patient's data) leaves an audit row, and so does each refusal of a signed-in person (403 or 404,
or the admin sending them to its sign-in page). HIPAA §164.312(b) audit controls.

The URLs come from the URL resolver and the API's routers, not from a list here, so a new URL is
walked as soon as it exists; one whose parameters this test cannot fill fails with a message
saying to add its sample values to SAMPLES (or, for a page that shows no patient's data, to add
it to PUBLIC or NO_PATIENT_DATA with the reason).
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from clinic.api import api
from clinic.assessments.checks import ask_for_side_effect_check
from clinic.assessments.services import report_side_effect, send_questionnaires
from clinic.assessments.tests.factories import record_phq9
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core import documents
from clinic.core.services import request_document
from clinic.evaluation.models import ConsentDocument, Evaluation
from clinic.intake.tests.factories import submit_test_request
from clinic.inventory.tests.factories import SafeFactory
from clinic.inventory.tests.factories import receive as receive_stock
from clinic.messaging.models import ReplyTemplate
from clinic.messaging.tests.factories import patient_writes
from clinic.patients.models import Guardian
from clinic.reviews.services import open_review
from clinic.scheduling.checkin import issue_check_in_link
from clinic.scheduling.ical import create_feed_token
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.sessions import services as session_services
from clinic.sessions.tests.factories import GOOD_PRE_DOSE, started_session
from conftest import client_for

ROLES = [
    "anonymous",
    "medical_director",
    "clinician",
    "nurse",
    "front_desk",
    "patient_alice",
    # Every sample belongs to Alice: Bob is the other patient, trying her records.
    "patient_bob",
]

# Pages for everyone, or the steps of signing in: no patient's data, nothing to refuse.
PUBLIC = {
    "intake:home": "public information",
    "intake:treatment": "public information",
    "intake:conditions": "public information",
    "intake:safety": "public information",
    "intake:request": "the public consultation form (its submission is audited as a write)",
    "intake:thanks": "public information",
    "accounts:login": "signing in (audited by the sign-in receivers)",
    "accounts:logout": "signing out (audited by the sign-in receivers)",
    "accounts:two_factor": "the second factor (audited by the sign-in views)",
    "accounts:password_reset": "asking for a reset link",
    "accounts:password_reset_done": "the reset link is on its way",
    "accounts:password_reset_confirm": "setting a password from a reset link",
    "accounts:password_reset_complete": "the password is set",
    "api:openapi-json": "the API's schema",
    "api:openapi-view": "the API's documentation",
    "api:api-root": "the API's root",
    "admin:login": "the admin's sign-in page",
    "admin:logout": "the admin's sign-out",
    "admin:jsi18n": "the admin's translations script",
    "messaging:sms_inbound": "the SMS provider's signed webhook (a STOP it records is audited)",
    "fhir:metadata": "the FHIR API's CapabilityStatement (what it serves; no patient's data)",
}

# A 200 here shows no patient's data (a refusal is still checked).
NO_PATIENT_DATA = {
    "accounts:home": "sends each role to its start page",
    "accounts:team": "the staff list",
    "accounts:team_add": "a form for a new member of staff",
    "accounts:team_edit": "a member of staff's account",
    "scheduling:my_feed": "the staff member's own calendar-feed link",
    "api:instruments": "the published questionnaires",
    "api:instrument": "one published questionnaire",
    "api:score": "scores answers it is sent; nothing is stored or read",
    "patients:register": "an empty registration form",
    "patients:possible_duplicates": (
        "empty until both names and a birth date are sent (each check that runs is audited)"
    ),
    "assessments:enter": "an empty form for a questionnaire (the patient's chart audits its look)",
    "inventory:receive": "an empty form for receiving stock",
    "inventory:ledger": "the ledger's filter form, until a range is chosen (a chosen range is audited)",
    "inventory:inventory": "the inventory's filter form, until a date is chosen (a chosen date is audited)",
    "treatment:rems_settings": "the locations' REMS certifications (no patient)",
    "interop:tokens": "the FHIR API tokens: names, owners, dates (never a token itself)",
    "documents:status": "a generated document's status (preparing, ready, failed): no title, no content",
    "messaging:templates": "the team's reply templates (no patient)",
    "messaging:template_edit": "one reply template (no patient)",
    "scheduling:change_request_count": "the menu's count of open change requests (a number)",
    # The medical director's configuration pages (clinicians read them): protocols, limits,
    # policies, screening rules, consent and education texts; no patient's data.
    **{
        f"configuration:{name}": "the clinic's configuration (no patient)"
        for name in (
            "home",
            "row",
            "new_draft",
            "change",
            "edit",
            "review",
            "publish",
            "discard",
            "unverified",
            "accept",
            "screening",
            "screening_new_version",
            "screening_version",
            "screening_rule_new",
            "screening_rule",
            "screening_rule_remove",
            "screening_publish",
            "documents",
            "document",
            "new_version",
            "document_version",
            "publish_version",
            "discard_version",
            "screening_discard",
        )
    },
}
# The configuration admin shows configuration tables, no patient's data, to the medical director.
# (Its refusal of everyone else is checked.)
ADMIN_NAMESPACE = "admin:"

CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield namespace + (entry.name or ""), prefix + str(entry.pattern), entry


def _api_methods() -> dict[str, list[str]]:
    """Each API operation's URL name and its HTTP methods (Django Ninja's routers)."""
    methods = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                name = getattr(operation, "url_name", None) or operation.view_func.__name__
                methods[f"api:{name}"] = operation.methods
    return methods


def routes() -> list[tuple[str, str, list[str] | None]]:
    """(URL name, route, API methods or None for a page) for every URL there is."""
    api_methods = _api_methods()
    found = []
    for name, route, pattern in _walk(get_resolver().url_patterns):
        is_api = getattr(pattern.callback, "__module__", "").startswith("ninja.operation")
        found.append((name, route, api_methods.get(name, ["?"]) if is_api else None))
    return found


ALL_ROUTES = routes()
PAGES = [r for r in ALL_ROUTES if r[0] not in PUBLIC and not r[0].startswith(ADMIN_NAMESPACE)]
ADMIN = [r for r in ALL_ROUTES if r[0] not in PUBLIC and r[0].startswith(ADMIN_NAMESPACE)]


@pytest.fixture
def report_kind(monkeypatch):
    """A document kind for the walk: clinical staff at its location may download it."""
    clinical = {"medical_director", "clinician", "nurse"}
    monkeypatch.setitem(
        documents._KINDS,
        "tests.report",
        documents.DocumentKind(
            code="tests.report",
            label="report",
            template="core/pdf/base.html",
            context=lambda document: {},
            may_request=lambda user: user.role in clinical,
            may_view=lambda user, document: (
                user.role in clinical and user.locations.filter(pk=document.location_id).exists()
            ),
            audit_event=AuditEventType.PATIENT_RECORD_EXPORTED,
        ),
    )


@pytest.fixture
def world(personas, patient_alice, location, report_kind):
    """One of everything a URL can name, all Alice's (or her clinic's)."""
    clinician, nurse = personas["clinician"], personas["nurse"]
    request = submit_test_request(location=location)
    response = record_phq9(actor=clinician, patient=patient_alice, total=6, item9=1)
    questionnaires, questionnaire_token = send_questionnaires(
        actor=clinician, patient=patient_alice, instrument_codes=["phq9"], context="check_in"
    )
    session = started_session(clinician, nurse, patient_alice, instruments=None)
    reading = session_services.record_reading(
        actor=nurse, session=session, values=dict(GOOD_PRE_DOSE) | {"systolic_mmhg": 230}
    )
    session_alert = reading.alerts[0] if reading.alerts else None
    evaluation = Evaluation.objects.filter(patient=patient_alice).latest("id")
    review = open_review(actor=clinician, patient=patient_alice)
    treatment_type = AppointmentType.objects.filter(kind="treatment", is_active=True).first()
    starts_at = timezone.now() + timedelta(days=2)
    upcoming = Appointment.objects.create(
        patient=patient_alice,
        location=location,
        appointment_type=treatment_type,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=treatment_type.duration_minutes),
        booked_by=clinician,
    )
    with transaction.atomic():
        # The link, whose last part is the token.
        check_in_token = issue_check_in_link(upcoming).rstrip("/").rsplit("/", 1)[-1]
    # The register: a safe at Alice's clinic and a vial received into it (witnessed).
    receipt = receive_stock(nurse, clinician, SafeFactory(location=location, name="Main safe"))
    container = receipt.containers.get()
    document = request_document(
        actor=nurse,
        kind="tests.report",
        title="A report about Alice",
        parameters={},
        location=location,
        patient_id=patient_alice.pk,
    )
    conversation = patient_writes(patient_alice).conversation
    side_effect_report, _created, _alerts = report_side_effect(
        actor=patient_alice.user,
        patient=patient_alice,
        submission_key=uuid.uuid4(),
        symptoms=["headache"],
        started_on=timezone.localdate(),
        severity="mild",
        still_going=True,
    )
    # A side-effect check waiting for Alice (asked by the daily job).
    side_effect_check = ask_for_side_effect_check(patient_alice, asked_on=timezone.localdate())
    # A guardian on Alice's record (she is an adult, so the service would refuse one: the row is
    # written directly, only to give the guardian pages an identifier).
    guardian = Guardian.objects.create(
        patient=patient_alice,
        full_name="Dana Moreno",
        relationship="parent",
        phone="+16175550123",
        authority_proof="birth_certificate",
        authority_proof_note="Seen at the desk.",
        recorded_by=clinician,
    )
    return {
        "patient": patient_alice.public_id,
        "conversation": conversation.public_id,
        "side_effect_report": side_effect_report.public_id,
        "side_effect_check": side_effect_check.public_id,
        "reply_template": ReplyTemplate.objects.create(title="Thanks", body="Thank you.").pk,
        "guardian": guardian.public_id,
        "request": request.public_id,
        "response": response.public_id,
        "safety_alert": response.alerts.get().public_id,
        "questionnaires": questionnaires.public_id,
        "questionnaire_token": questionnaire_token,
        "evaluation": evaluation.public_id,
        "review": review.public_id,
        "consent": ConsentDocument.objects.filter(status="active").first().pk,
        "appointment": upcoming.public_id,
        "session_appointment": session.appointment.public_id,
        "session": session.public_id,
        "session_alert": session_alert.public_id if session_alert else uuid.uuid4(),
        "team_member": nurse.public_id,
        "check_in_token": check_in_token,
        "feed_token": create_feed_token(actor=clinician),
        "safe": container.safe.public_id,
        "receipt": receipt.public_id,
        "container": container.public_id,
        "stock_entry": container.movements.get().public_id,
        # A PDF asked for and not yet drawn (nothing commits here, so the task never runs).
        "document": document.public_id,
        # Destructions and count discrepancies need more set-up than a walk of URLs: an unknown
        # identifier still checks that the refusal (not found) is audited.
        "no_such_record": uuid.uuid4(),
    }


# Which sample fills each URL parameter: by the parameter's name, or for a name several URLs use
# for different things, by the URL's name.
SAMPLES = {
    "patient_public_id": "patient",
    "patient_id": "patient",
    "session_id": "session",
    "response_id": "response",
    "document_id": "consent",
    "appointment_public_id": "session_appointment",
    "alert_public_id": "session_alert",
    "instrument_code": lambda w: "phq9",
    "code": lambda w: "phq9",
    "action": lambda w: "vitals",
    # The FHIR API answers a browser session 401 (it takes tokens only); its reads with a token
    # are audited in clinic/interop/tests/test_api.py.
    "fhir:patient": {"public_id": "patient"},
    "fhir:everything": {"public_id": "patient"},
    "interop:revoke_token": {"public_id": lambda w: uuid.uuid4()},
    "intake:detail": {"public_id": "request"},
    "intake:record_step": {"public_id": "request"},
    "intake:add_note": {"public_id": "request"},
    "intake:decline": {"public_id": "request"},
    "intake:convert": {"public_id": "request"},
    "accounts:team_edit": {"public_id": "team_member"},
    "accounts:team_set_active": {"public_id": "team_member"},
    "accounts:team_reset_two_factor": {"public_id": "team_member"},
    "accounts:team_issue_enrolment_code": {"public_id": "team_member"},
    "assessments:response": {"public_id": "response"},
    "assessments:entered_in_error": {"public_id": "response"},
    "assessments:alert": {"public_id": "safety_alert"},
    "assessments:alert_contact": {"public_id": "safety_alert"},
    "assessments:side_effect_report": {"public_id": "side_effect_report"},
    "assessments:my_side_effect": {"public_id": "side_effect_report"},
    "assessments:nothing_to_report": {"public_id": "side_effect_check"},
    "messaging:template_edit": {"pk": "reply_template"},
    "evaluation:my_education_page": {"code": lambda w: "preparing"},
    "evaluation:consent_pdf": {"public_id": "no_such_record"},
    "assessments:cancel_request": {"public_id": "questionnaires"},
    "assessments:answer_start": {"token": "questionnaire_token"},
    "assessments:answer_instrument": {"token": "questionnaire_token"},
    "assessments:answer_save": {"token": "questionnaire_token"},
    "assessments:portal_start": {"public_id": "questionnaires"},
    "assessments:portal_instrument": {"public_id": "questionnaires"},
    "assessments:portal_save": {"public_id": "questionnaires"},
    "assessments:tablet_hand_over": {"public_id": "questionnaires"},
    "assessments:tablet_start": {"public_id": "questionnaires"},
    "assessments:tablet_instrument": {"public_id": "questionnaires"},
    "assessments:tablet_save": {"public_id": "questionnaires"},
    "evaluation:detail": {"public_id": "evaluation"},
    "reviews:detail": {"public_id": "review"},
    "scheduling:appointment": {"public_id": "appointment"},
    "scheduling:appointment_ics": {"public_id": "appointment"},
    "scheduling:staff_feed": {"token": "feed_token"},
    "scheduling:check_in": {"token": "check_in_token"},
    "sessions:detail": {"public_id": "session"},
    "sessions:live": {"public_id": "session"},
    "sessions:summary": {"public_id": "session"},
    "sessions:act": {"public_id": "session"},
    "sessions:acknowledge": {"public_id": "session"},
    "sessions:aftercare": {"public_id": "session"},
    # An IV session has no REMS form: every role's look is a refusal, checked as audited.
    "sessions:rems_form": {"public_id": "session"},
    # Signing a letter needs more set-up than a walk of URLs (its page's audit is tested in
    # clinic/letters/tests/): an unknown letter checks that the refusal is audited.
    "letters:detail": {"public_id": "no_such_record"},
    # Each table's CSV; every export is audited with its filter (clinic/outcomes/tests/).
    "outcomes:export": {"table": lambda world: "funnel"},
    "inventory:receipt_labels": {"public_id": "receipt"},
    "inventory:container": {"public_id": "container"},
    "inventory:container_label": {"public_id": "container"},
    "inventory:return": {"public_id": "container"},
    "inventory:reverse": {"public_id": "stock_entry"},
    "inventory:count": {"public_id": "safe"},
    "inventory:destroy": {"public_id": "safe"},
    "inventory:destruction": {"public_id": "no_such_record"},
    "inventory:discrepancy": {"public_id": "no_such_record"},
    "documents:detail": {"public_id": "document"},
    "documents:status": {"public_id": "document"},
    "documents:download": {"public_id": "document"},
    "session_public_id": "session",
    "messaging:my_conversation": {"public_id": "conversation"},
    "messaging:conversation": {"public_id": "conversation"},
    "messaging:assign": {"public_id": "conversation"},
    "messaging:done": {"public_id": "conversation"},
    "guardian_public_id": "guardian",
    # A waitlist offer needs the waitlist's set-up: an unknown one checks the refusal is audited.
    "scheduling:answer_offer": {"public_id": "no_such_record"},
    "configuration:row": {"kind": lambda w: "monitoring", "key": lambda w: "iv"},
    "configuration:new_draft": {"kind": lambda w: "monitoring", "key": lambda w: "iv"},
    "configuration:change": {"public_id": "no_such_record"},
    "configuration:edit": {"public_id": "no_such_record"},
    "configuration:review": {"public_id": "no_such_record"},
    "configuration:publish": {"public_id": "no_such_record"},
    "configuration:discard": {"public_id": "no_such_record"},
    "configuration:accept": {"key": lambda w: "review-intervals"},
    "configuration:screening_version": {"version": lambda w: 1},
    "configuration:screening_rule_new": {"version": lambda w: 1},
    "configuration:screening_rule": {"version": lambda w: 1, "code": lambda w: "psychosis"},
    "configuration:screening_rule_remove": {"version": lambda w: 1, "code": lambda w: "psychosis"},
    "configuration:screening_publish": {"version": lambda w: 1},
    "configuration:document": {
        "kind": lambda w: "consent",
        "code": lambda w: "ketamine-infusion-injection",
    },
    "configuration:new_version": {
        "kind": lambda w: "consent",
        "code": lambda w: "ketamine-infusion-injection",
    },
    "configuration:document_version": {
        "kind": lambda w: "consent",
        "code": lambda w: "ketamine-infusion-injection",
        "version": lambda w: 1,
    },
    "configuration:publish_version": {
        "kind": lambda w: "consent",
        "code": lambda w: "ketamine-infusion-injection",
        "version": lambda w: 1,
    },
    "configuration:discard_version": {
        "kind": lambda w: "consent",
        "code": lambda w: "ketamine-infusion-injection",
        "version": lambda w: 1,
    },
    "configuration:screening_discard": {"version": lambda w: 1},
}
# The admin only asks whether the viewer may use it before anything else: any value will do.
ADMIN_SAMPLE = {"object_id": "1", "content_type_id": "1", "app_label": "core", "url": "nothing/"}

# A POST needs a body the API reads before it asks who is calling.
API_BODIES = {
    "api:score": {"answers": {}},
    "api:create_response": {
        "instrument_code": "phq9",
        "answers": {},
        "taken_at": "2026-01-05T09:30:00-05:00",
    },
    "api:post_vitals": {"readings": [{"reading_id": "r1", "taken_at": "2026-01-05T09:30:00Z"}]},
}


def fill(name: str, route: str, world: dict, *, admin: bool = False) -> str:
    """The route with its parameters filled from the samples (or the test fails saying which to
    add)."""

    def value(parameter: str):
        if admin:
            return ADMIN_SAMPLE[parameter]
        by_url = SAMPLES.get(name, {})
        source = by_url.get(parameter) if isinstance(by_url, dict) else None
        source = source or SAMPLES.get(parameter)
        if source is None:
            pytest.fail(
                f"{name} ({route}) has a parameter {parameter!r} this test cannot fill: add its "
                f"sample value to SAMPLES in {__file__} (by the parameter's name, or under "
                f"{name!r} when the name means different things in different URLs)."
            )
        return source(world) if callable(source) else world[source]

    path = CONVERTER.sub(lambda m: str(value(m["name"])), route)
    path = REGEX_GROUP.sub(lambda m: str(value(m["name"])), path)
    return "/" + path.lstrip("^").rstrip("$")


def _request(client, name, path, api_methods):
    if api_methods is not None:
        method = api_methods[0]
        if method == "GET":
            return method, client.get(path)
        return method, client.post(path, API_BODIES.get(name, {}), content_type="application/json")
    response = client.get(path)
    if response.status_code == 405:
        # A form's target: posted empty (a write refused or invalid is enough to see the audit).
        return "POST", client.post(path, {})
    return "GET", response


def _problems(role, user, name, method, path, response, written, *, reads=True) -> list[str]:
    status = response.status_code
    said = f"{role} {method} {path} → {status}"
    if status >= 500:
        return [f"{said}: a server error"]
    by_user = [e for e in written if user is not None and e.actor_id == user.pk]
    refused = status in (403, 404) or (
        status == 302 and "/admin/login/" in response.get("Location", "")
    )
    if user is not None and refused:
        if not any(e.outcome == AuditOutcome.DENIED for e in by_user):
            return [f"{said}: a refusal of a signed-in person with no denied audit row"]
        return []
    is_read = reads and status == 200 and method == "GET" and name not in NO_PATIENT_DATA
    # Whoever the view says looked: the signed-in person, or for a link or feed, the holder of
    # the token (a patient's questionnaire link, a member of staff's calendar feed).
    if is_read and not any(e.outcome == AuditOutcome.SUCCESS for e in written):
        return [f"{said}: a read of patient data with no audit row"]
    return []


def _walk_as_every_role(name, path, api_methods, personas, *, reads=True) -> list[str]:
    problems = []
    for role in ROLES:
        user = personas[role]
        client = client_for(user)
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        method, response = _request(client, name, path, api_methods)
        written = list(AuditEvent.objects.filter(id__gt=before))
        problems += _problems(role, user, name, method, path, response, written, reads=reads)
    return problems


def test_every_url_is_walked():
    """The walk found the URLs (a broken enumeration would pass every test below vacuously), and
    every API operation has its methods."""
    names = {name for name, _route, _methods in ALL_ROUTES}
    assert {"evaluation:detail", "sessions:live", "api:list_vitals", "admin:index"} <= names
    unknown = [name for name, _route, methods in ALL_ROUTES if methods == ["?"]]
    assert not unknown, f"API URLs without an operation in clinic.api's routers: {unknown}"


@pytest.mark.parametrize(("name", "route", "api_methods"), PAGES, ids=[r[0] for r in PAGES])
def test_every_read_and_refusal_is_audited(name, route, api_methods, personas, world):
    path = fill(name, route, world)
    problems = _walk_as_every_role(name, path, api_methods, personas)
    assert not problems, "\n".join(problems)


def test_the_admin_audits_everyone_it_turns_away(personas):
    problems = []
    for name, route, _methods in ADMIN:
        path = fill(name, route, {}, admin=True)
        # Configuration tables for the medical director: only the refusals are checked.
        problems += _walk_as_every_role(name, path, None, personas, reads=False)
    assert not problems, "\n".join(problems)
