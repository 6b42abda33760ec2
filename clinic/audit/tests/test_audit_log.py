import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent, AuditLogIsAppendOnlyError
from clinic.audit.services import record_audit_event
from clinic.audit.views import readable_details, target_label
from conftest import client_for


@pytest.fixture
def event(clinician):
    return record_audit_event(
        actor=clinician, event_type=AuditEventType.PATIENT_CHART_VIEWED, patient_id=1
    )


def test_an_event_records_who_their_role_and_what(event, clinician):
    assert event.actor == clinician
    assert event.actor_label == clinician.email
    assert event.actor_role == "clinician"
    assert event.outcome == AuditOutcome.SUCCESS


def test_an_event_cannot_be_changed_through_the_model(event):
    event.details = {"tampered": True}
    with pytest.raises(AuditLogIsAppendOnlyError):
        event.save()


def test_an_event_cannot_be_deleted_through_the_model_or_queryset(event):
    with pytest.raises(AuditLogIsAppendOnlyError):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    assert AuditEvent.objects.filter(pk=event.pk, actor_label=event.actor_label).exists()


def test_the_database_itself_refuses_to_rewrite_an_event(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["forged", event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).actor_label == event.actor_label


def test_the_admin_offers_no_way_to_change_or_delete_events(event, medical_director):
    client = client_for(medical_director)
    assert (
        client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    )  # a read-only view
    page = client.get(f"/admin/audit/auditevent/{event.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"actor_label": "forged"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).actor_label == event.actor_label


def test_the_request_ip_address_is_recorded(clinician, patient_alice):
    client = client_for(clinician)
    client.get(f"/patients/{patient_alice.public_id}/", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(event_type=AuditEventType.PATIENT_CHART_VIEWED).latest("id")
    assert event.ip_address == "10.1.2.3"
    assert event.patient_id == patient_alice.pk


def test_the_medical_director_filters_the_log_by_patient_and_outcome(
    medical_director, clinician, patient_alice, patient_bob
):
    client_for(clinician).get(f"/patients/{patient_alice.public_id}/")
    client_for(patient_bob.user).get(f"/api/v1/patients/{patient_alice.public_id}")  # denied
    client = client_for(medical_director)
    page = client.get("/audit/", {"mrn": patient_alice.mrn, "outcome": "denied"}).content.decode()
    assert "Denied" in page and patient_bob.user.email in page
    assert clinician.email not in page.split("<tbody>")[1]
    page = client.get("/audit/", {"actor": clinician.email, "group": "patients"}).content.decode()
    assert "Patient chart viewed" in page


def test_browsing_the_log_is_itself_audited(medical_director):
    client_for(medical_director).get("/audit/")
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.AUDIT_LOG_VIEWED, actor=medical_director
        ).count()
        == 1
    )


def test_bad_filters_get_a_message_not_an_error(medical_director):
    response = client_for(medical_director).get(
        "/audit/", {"date_from": "2026-02-31", "event_type": "banana"}
    )
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def test_the_log_page_runs_a_fixed_number_of_queries(
    medical_director, django_assert_max_num_queries
):
    for n in range(120):
        record_audit_event(
            actor=medical_director, event_type=AuditEventType.PATIENT_CHART_VIEWED, patient_id=n
        )
    client = client_for(medical_director)
    # 12: the page's own reads, and its audit row (sealing it reads the chain's head, and on
    # PostgreSQL takes the chain's lock).
    with django_assert_max_num_queries(12):
        client.get("/audit/")


def test_opening_a_page_the_role_does_not_allow_is_audited_as_denied(nurse):
    assert client_for(nurse).get("/audit/").status_code == 403
    event = AuditEvent.objects.get(event_type=AuditEventType.PAGE_ACCESS_DENIED)
    assert (
        event.actor == nurse
        and event.outcome == AuditOutcome.DENIED
        and event.details == {"path": "/audit/", "method": "GET"}
    )


def test_a_location_changed_in_the_admin_is_audited(medical_director, location):
    client = client_for(medical_director)
    data = {
        "organisation": location.organisation_id,
        "name": "Boston Back Bay",
        "address_line1": location.address_line1,
        "address_line2": "",
        "city": location.city,
        "region": "MA",
        "postal_code": "02116",
        "country": "US",
        "phone": location.phone,
        "time_zone": "America/New_York",
        "is_active": "on",
    }
    response = client.post(f"/admin/core/location/{location.pk}/change/", data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(event_type=AuditEventType.LOCATION_CHANGED)
    assert (
        event.details == {"created": False, "fields": ["name"]} and event.location_id == location.pk
    )


def test_an_unknown_time_zone_is_refused_in_the_admin(medical_director, location):
    response = client_for(medical_director).post(
        f"/admin/core/location/{location.pk}/change/",
        {
            "organisation": location.organisation_id,
            "name": "X",
            "address_line1": "1",
            "city": "B",
            "country": "US",
            "phone": "1",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200 and "is not a known time zone" in response.content.decode()


def test_a_checklist_event_shows_its_items_on_the_log_page(
    medical_director, clinician, nurse, patient_alice
):
    from clinic.sessions.tests.factories import complete_checklist, started_session

    complete_checklist(nurse, started_session(clinician, nurse, patient_alice))
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SESSION_CHECKLIST_UPDATED, details__has_key="items"
    ).exists()
    response = client_for(medical_director).get("/audit/", {"group": "sessions"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Items:" in page and "escort name: Sam Moreno" in page


@pytest.mark.parametrize("key", ["items", "keys", "values", "get", "copy", "update"])
def test_details_named_like_a_dictionary_method_are_shown_as_they_are(medical_director, key):
    record_audit_event(
        actor=medical_director,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        details={key: {"nested": [1, "two"]}, "plain": "<b>x</b>"},
    )
    response = client_for(medical_director).get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{key.capitalize()}:</span> nested: 1, two" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_readable_details_flattens_nested_values():
    assert readable_details(None) == []
    assert readable_details({"a": {"b": [True, None]}, "c": 3}) == [
        ("A", "b: yes, —"),
        ("C", "3"),
    ]
    assert readable_details({"escort_name": "Sam"}) == [("Escort name", "Sam")]
    assert readable_details(["odd"]) == [("Details", "odd")]


@pytest.mark.parametrize(
    ("target_type", "target_id", "label"),
    [
        ("patients.patient", "55", "Patient, record 55"),
        ("treatment_sessions.treatmentsession", "7", "Treatment session, record 7"),
        ("patients.patient", "", "Patient"),
        ("", "", ""),
        # A model removed since the event was written still shows what was stored.
        ("gone.model", "3", "Gone.model, record 3"),
        ("not-a-label", "3", "Not-a-label, record 3"),
    ],
)
def test_an_events_target_is_named_in_words(target_type, target_id, label):
    assert target_label(target_type, target_id) == label


def test_the_log_page_names_targets_in_words_not_table_labels(medical_director):
    record_audit_event(
        actor=medical_director,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        target=medical_director,
    )
    page = client_for(medical_director).get("/audit/").content.decode()
    assert "accounts.user #" not in page
    assert f"User, record {medical_director.pk}" not in page
    assert str(medical_director) in page.split("<tbody>")[1]


def test_the_last_event_of_a_short_log_is_not_pushed_off_by_the_viewing_itself(medical_director):
    first = record_audit_event(
        actor=medical_director, event_type=AuditEventType.PATIENT_CHART_VIEWED, patient_id=7
    )
    response = client_for(medical_director).get("/audit/")
    shown = [event.pk for event, _, _, _ in response.context["rows"]]
    assert first.pk in shown


def test_the_admins_role_filter_names_the_events_of_no_signed_in_person(event, medical_director):
    # A blank role would be a filter link with no words (WCAG 2.1 SC 2.4.4 Link Purpose).
    record_audit_event(actor=None, event_type=AuditEventType.LOGIN_FAILED)
    page = client_for(medical_director).get("/admin/audit/auditevent/").content.decode()
    assert '<a href="?actor_role=">No signed-in person</a>' in page
    assert '<a href="?actor_role="></a>' not in page
