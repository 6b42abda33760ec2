"""A guardian's portal account: the appointments, consent forms and record of the patient they
represent, and nothing of another family's (every portal URL probed with the other family's
identifiers answers 404); the patient's questionnaires only when the clinic allows it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.services import send_questionnaires
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import PermissionDeniedError
from clinic.evaluation.models import ConsentDocument
from clinic.patients.models import PatientPolicy
from clinic.patients.tests.factories import add_test_guardian, register_test_minor
from clinic.scheduling.models import Appointment, AppointmentType
from conftest import client_for


def _appointment(patient, booked_by):
    kind = AppointmentType.objects.filter(is_active=True).first()
    starts_at = timezone.now() + timedelta(days=3)
    return Appointment.objects.create(
        patient=patient,
        location=patient.location,
        appointment_type=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=kind.duration_minutes),
        status="booked",
        booked_by=booked_by,
    )


@pytest.fixture
def families(clinician, location):
    """Two minors, each with a guardian who has a portal account, an appointment and an open
    questionnaire request."""
    result = []
    for surname in ("Reyes", "Okafor"):
        minor = register_test_minor(actor=clinician, location=location, last_name=surname)
        guardian = add_test_guardian(
            actor=clinician, patient=minor, portal=True, full_name=f"Dana {surname}"
        )
        appointment = _appointment(minor, clinician)
        questionnaires, _token = send_questionnaires(
            actor=clinician, patient=minor, instrument_codes=["phq9"], context="baseline"
        )
        result.append(
            {
                "minor": minor,
                "guardian": guardian,
                "appointment": appointment,
                "questionnaires": questionnaires,
            }
        )
    return result


def test_a_guardian_sees_their_patients_record_appointments_and_consent(families):
    ours = families[0]
    client = client_for(ours["guardian"].user)
    home = client.get(reverse("accounts:home"))
    assert home.status_code == 302 and home["Location"] == "/patients/me/"
    record = client.get("/patients/me/")
    assert record.status_code == 200 and ours["minor"].legal_last_name in record.content.decode()
    # The patient's scores are their questionnaire answers: not for a guardian by default.
    assert "Your progress" not in record.content.decode()
    appointments = client.get("/portal/appointments/")
    assert appointments.status_code == 200
    ics = client.get(f"/portal/appointments/{ours['appointment'].public_id}.ics")
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    consent = client.get("/portal/consent/")
    assert consent.status_code == 200
    assert "Consent forms for" in consent.content.decode()
    # Every page is audited as a look at the patient's record, by the guardian.
    seen = AuditEvent.objects.filter(
        actor=ours["guardian"].user,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        patient_id=ours["minor"].pk,
    )
    assert {e.details.get("section") for e in seen} >= {
        "portal home",
        "portal appointments",
        "portal consent",
    }


def test_every_portal_url_with_another_familys_identifiers_is_not_found(families):
    ours, theirs = families
    PatientPolicy.objects.update_or_create(
        singleton=True, defaults={"guardians_see_questionnaire_answers": True}
    )
    client = client_for(ours["guardian"].user)
    other_patient = theirs["minor"].public_id
    other_requests = theirs["questionnaires"].public_id
    document = ConsentDocument.objects.filter(status="active").first()
    probes = [
        ("get", f"/patients/me/?patient={other_patient}"),
        ("get", f"/patients/me/?patient={other_patient}&section=overview"),
        ("get", "/patients/me/?patient=not-a-uuid"),
        ("get", f"/portal/appointments/?patient={other_patient}"),
        ("get", f"/portal/appointments/{theirs['appointment'].public_id}.ics"),
        ("get", f"/portal/consent/?patient={other_patient}"),
        ("get", f"/portal/consent/{document.pk}/?patient={other_patient}"),
        ("post", f"/portal/consent/{document.pk}/?patient={other_patient}"),
        ("get", f"/portal/questionnaires/{other_requests}/"),
        ("get", f"/portal/questionnaires/{other_requests}/phq9/"),
        ("post", f"/portal/questionnaires/{other_requests}/phq9/save/"),
    ]
    for method, url in probes:
        response = getattr(client, method)(url)
        assert response.status_code == 404, (url, response.status_code)
        assert theirs["minor"].legal_last_name not in response.content.decode(), url
    # Asking to move another family's appointment from one's own page: not found either.
    moved = client.post(
        "/portal/appointments/",
        {"appointment": str(theirs["appointment"].public_id), "kind": "cancel", "note": ""},
    )
    assert moved.status_code == 404
    theirs["appointment"].refresh_from_db()
    assert theirs["appointment"].patient_request == ""
    # Each refusal is audited.
    assert AuditEvent.objects.filter(actor=ours["guardian"].user, outcome="denied").count() >= len(
        probes
    )


def test_the_patients_questionnaires_are_refused_to_a_guardian_unless_the_clinic_allows(
    families,
):
    ours = families[0]
    client = client_for(ours["guardian"].user)
    url = f"/portal/questionnaires/{ours['questionnaires'].public_id}/"
    refused = client.get(url)
    assert refused.status_code == 403
    assert "does not show a patient" in refused.content.decode()
    assert client.get(url + "phq9/").status_code == 403
    PatientPolicy.objects.update_or_create(
        singleton=True, defaults={"guardians_see_questionnaire_answers": True}
    )
    assert client.get(url).status_code in {200, 302}
    assert client.get(url + "phq9/").status_code == 200


def test_a_guardian_whose_guardianship_ended_sees_nothing(families, clinician):
    from clinic.patients.services import end_guardianship

    ours = families[0]
    end_guardianship(actor=clinician, guardian=ours["guardian"], reason="Custody changed")
    client = client_for(ours["guardian"].user)
    assert client.get("/patients/me/").status_code == 404
    assert client.get("/portal/appointments/").status_code == 404
    assert (
        client.get(f"/portal/appointments/{ours['appointment'].public_id}.ics").status_code == 404
    )
    assert client.get("/portal/consent/").status_code == 404


# Messages: a guardian writes to the care team for the patient they represent.


def _write(client, url, body, **fields):
    import uuid

    return client.post(url, {"body": body, "submit_key": str(uuid.uuid4()), **fields})


def test_a_guardian_writes_to_the_team_and_reads_the_reply(families, clinician, nurse):
    from clinic.messaging.models import Conversation, Notice

    ours = families[0]
    guardian_user = ours["guardian"].user
    client = client_for(guardian_user)
    page = client.get("/messages/")
    assert page.status_code == 200
    assert f"Messages to {ours['minor'].display_name}" in page.content.decode()
    # Texts go to the patient's own phone: the guardian has no say in them.
    assert "Text messages" not in page.content.decode()
    assert client.post("/messages/texts/", {"sms_opt_in": "on"}).status_code == 403

    sent = _write(client, "/messages/", "She had a headache the day after.", topic="side_effects")
    assert sent.status_code == 302
    conversation = Conversation.objects.get(patient=ours["minor"])
    message = conversation.messages.get()
    assert message.author == guardian_user and message.from_patient
    assert conversation.waiting_since is not None

    # The team sees who wrote: the guardian, not the patient.
    staff_page = client_for(clinician).get(f"/inbox/{conversation.public_id}/")
    assert staff_page.status_code == 200
    assert f"{ours['guardian'].full_name}, guardian" in staff_page.content.decode()
    _write(
        client_for(clinician),
        f"/inbox/{conversation.public_id}/",
        "Thank you; that is common and passes. Call us if it lasts.",
    )
    # The reply's notice goes to the guardian's sign-in address (no words of the message).
    notice_to = set(
        Notice.objects.filter(message__conversation=conversation).values_list(
            "recipient", flat=True
        )
    )
    assert guardian_user.email in notice_to

    thread = client.get(f"/messages/{conversation.public_id}/")
    assert thread.status_code == 200
    body = thread.content.decode()
    assert "You" in body and "that is common and passes" in body
    team_message = conversation.messages.get(from_patient=False)
    assert team_message.read_at is not None  # read by the guardian: the receipt the team sees
    # The guardian writes again in the same conversation.
    assert _write(client, f"/messages/{conversation.public_id}/", "Thanks!").status_code == 302
    assert conversation.messages.filter(author=guardian_user).count() == 2
    assert AuditEvent.objects.filter(
        actor=guardian_user,
        event_type=AuditEventType.CONVERSATION_VIEWED,
        patient_id=ours["minor"].pk,
    ).exists()


def test_a_guardian_never_reaches_another_familys_messages(families):
    import uuid

    from clinic.messaging import services as messaging

    ours, theirs = families
    other_guardian = theirs["guardian"].user

    theirs_message = messaging.start_conversation(
        actor=other_guardian,
        patient=theirs["minor"],
        topic="side_effects",
        body="Private words of the other family",
        submit_key=uuid.uuid4(),
    )
    conversation = theirs_message.conversation
    client = client_for(ours["guardian"].user)
    for method, url in [
        ("get", f"/messages/{conversation.public_id}/"),
        ("post", f"/messages/{conversation.public_id}/"),
        ("get", f"/messages/?patient={theirs['minor'].public_id}"),
    ]:
        response = (
            _write(client, url, "Hello") if method == "post" else getattr(client, method)(url)
        )
        assert response.status_code == 404, url
        assert "Private words" not in response.content.decode()
        assert theirs["minor"].legal_last_name not in response.content.decode()
    assert conversation.messages.count() == 1
    # The listing of one's own ward's messages does not show the other family's conversation.
    listing = client.get("/messages/").content.decode()
    assert str(conversation.public_id) not in listing
    # Nor can the service be made to write in the other family's name.
    with pytest.raises(PermissionDeniedError):
        messaging.start_conversation(
            actor=ours["guardian"].user,
            patient=theirs["minor"],
            topic="other",
            body="x",
            submit_key=uuid.uuid4(),
        )


def test_a_guardianship_that_ends_closes_the_messages(families, clinician):
    import uuid

    from clinic.messaging import services as messaging
    from clinic.patients.services import end_guardianship

    ours = families[0]
    message = messaging.start_conversation(
        actor=ours["guardian"].user,
        patient=ours["minor"],
        topic="appointments",
        body="Can we move Friday?",
        submit_key=uuid.uuid4(),
    )
    end_guardianship(actor=clinician, guardian=ours["guardian"], reason="Custody changed")
    client = client_for(ours["guardian"].user)
    assert client.get("/messages/").status_code == 404
    assert client.get(f"/messages/{message.conversation.public_id}/").status_code == 404
    # The team's replies no longer notify the former guardian.
    from clinic.messaging.models import Notice

    messaging.write_message(
        actor=clinician, conversation=message.conversation, body="Yes.", submit_key=uuid.uuid4()
    )
    assert not Notice.objects.filter(recipient=ours["guardian"].user.email).exists()


def test_a_guardian_of_two_chooses_one_and_every_portal_page_follows(families, clinician):
    ours, theirs = families
    # The first family's guardian also represents the second family's child.
    from clinic.patients.models import Guardian

    Guardian.objects.filter(pk=theirs["guardian"].pk).update(user=ours["guardian"].user)
    client = client_for(ours["guardian"].user)
    home = client.get("/patients/me/").content.decode()
    assert "You represent:" in home
    chosen = client.get(f"/patients/me/?patient={theirs['minor'].public_id}")
    assert chosen.status_code == 200
    assert f"{theirs['minor'].display_name}'s record" in chosen.content.decode()
    # The menu's plain addresses now show that child.
    appointments = client.get("/portal/appointments/")
    assert appointments.status_code == 200
    assert appointments.context["patient"] == theirs["minor"]
    assert client.get("/portal/consent/").context["patient"] == theirs["minor"]
    assert client.get("/messages/").context["patient"] == theirs["minor"]
    # Choosing the other again switches back.
    client.get(f"/patients/me/?patient={ours['minor'].public_id}")
    assert client.get("/portal/appointments/").context["patient"] == ours["minor"]


def test_a_guardian_downloads_the_signed_consent_pdf_until_the_guardianship_ends(
    families, clinician, django_capture_on_commit_callbacks
):
    from clinic.core.models import GeneratedDocument
    from clinic.evaluation.services import sign_consent
    from clinic.patients.services import end_guardianship

    ours = families[0]
    document = ConsentDocument.objects.filter(status="active").first()
    guardian_user = ours["guardian"].user
    client = client_for(guardian_user)
    signature = sign_consent(
        actor=guardian_user,
        patient=ours["minor"],
        document=document,
        typed_full_name=ours["guardian"].full_name,
        signed_on=timezone.localdate(),
        channel="portal",
        guardian=ours["guardian"],
    )
    home = client.get("/patients/me/").content.decode()
    assert "Download PDF" in home
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(f"/consent/signed/{signature.public_id}/pdf/")
    assert asked.status_code == 302
    generated = GeneratedDocument.objects.get(patient_id=ours["minor"].pk)
    download = f"/documents/{generated.public_id}/download/"
    assert client.get(download).status_code == 200
    end_guardianship(actor=clinician, guardian=ours["guardian"], reason="Custody changed")
    assert client.get(download).status_code == 404
