"""Signed records and the audit trail refuse change in the database itself, and whatever gets
around that (a database owner lifting the triggers) is found: on the page that shows the record,
and by `manage.py verify_records`."""

from __future__ import annotations

import contextlib
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.audit.services import record_audit_event
from clinic.core.guards import registered_row_guards
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.models import ConsentDocument, ConsentSignature, Evaluation
from clinic.evaluation.tests.factories import complete_evaluation
from clinic.sessions.models import SessionReading
from clinic.sessions.tests import factories as session_factories
from clinic.sessions.tests.test_services import discharged, sign_both
from clinic.treatment.models import TreatmentPlanVersion
from conftest import PASSWORD, client_for

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles exist on PostgreSQL only"
)


def refused(sql: str, params=()) -> bool:
    """Run raw SQL as anyone with the application's database connection would; True when the
    database refuses it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


@contextlib.contextmanager
def triggers_lifted():
    """What only a database owner can do: lift the guards for the rest of the test's transaction
    (rolled back with it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser's switch: no ordinary trigger fires for the rest of the transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for guard in registered_row_guards():
                for kind in ("no_update", "no_delete", "no_insert"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {guard.name}_{kind}")
    yield


def verify_records_fails() -> str:
    """Run the command, expect it to fail, and return the mismatches it listed."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_records", stdout=out, stderr=err)
    return err.getvalue()


@pytest.fixture
def signed_evaluation(clinician, patient_alice):
    evaluation = complete_evaluation(clinician, patient_alice)
    return evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="No contraindication found.",
        password=PASSWORD,
    )


@pytest.fixture
def signed_session(clinician, nurse, patient_alice):
    return sign_both(clinician, nurse, discharged(clinician, nurse, patient_alice))


# --- the database refuses ------------------------------------------------------------------
def test_a_signed_evaluation_refuses_update_and_delete_in_the_database(signed_evaluation):
    pk = signed_evaluation.pk
    assert refused(
        "UPDATE evaluation_evaluation SET decision_reasoning = 'rewritten' WHERE id = %s", [pk]
    )
    assert refused("UPDATE evaluation_evaluation SET decision = 'unsuitable' WHERE id = %s", [pk])
    assert refused("DELETE FROM evaluation_evaluation WHERE id = %s", [pk])
    assert Evaluation.objects.get(pk=pk).decision_reasoning == "No contraindication found."


def test_an_evaluation_in_progress_is_still_edited_and_a_signed_one_may_be_amended(
    clinician, patient_alice, signed_evaluation
):
    evaluation_services.add_evaluation_addendum(
        actor=clinician, evaluation=signed_evaluation, text="Also: no glaucoma.", password=PASSWORD
    )
    assert Evaluation.objects.get(pk=signed_evaluation.pk).status == "amended"
    assert refused(
        "UPDATE evaluation_evaluationaddendum SET text = 'changed' WHERE evaluation_id = %s",
        [signed_evaluation.pk],
    )


def test_a_signed_plan_version_refuses_update_and_delete(clinician, patient_alice):
    version = session_factories.plan_for(clinician, patient_alice)
    assert refused(
        "UPDATE treatment_treatmentplanversion SET dose_mg = 999 WHERE id = %s", [version.pk]
    )
    assert refused("DELETE FROM treatment_treatmentplanversion WHERE id = %s", [version.pk])
    assert TreatmentPlanVersion.objects.get(pk=version.pk).dose_mg == version.dose_mg


def test_a_consent_signature_may_be_withdrawn_but_never_rewritten(clinician, patient_alice):
    session_factories.plan_for(clinician, patient_alice)
    signature = ConsentSignature.objects.get(patient=patient_alice)
    assert refused(
        "UPDATE evaluation_consentsignature SET typed_full_name = 'Someone Else' WHERE id = %s",
        [signature.pk],
    )
    assert refused("DELETE FROM evaluation_consentsignature WHERE id = %s", [signature.pk])
    assert not refused(
        "UPDATE evaluation_consentsignature SET withdrawn_at = %s WHERE id = %s",
        [timezone.now(), signature.pk],
    )


def test_a_published_consent_text_cannot_be_rewritten(db):
    document = ConsentDocument.objects.filter(status="active").first()
    assert refused(
        "UPDATE evaluation_consentdocument SET body = 'Nothing can go wrong.' WHERE id = %s",
        [document.pk],
    )


def test_a_locked_session_its_readings_and_signatures_refuse_change(signed_session):
    session = signed_session
    reading = SessionReading.objects.filter(session=session).first()
    assert session.locked_at is not None
    assert refused(
        "UPDATE treatment_sessions_treatmentsession SET dose_mg = 1 WHERE id = %s", [session.pk]
    )
    assert refused(
        "UPDATE patients_vitalsigns SET systolic_mmhg = 120 WHERE id = %s",
        [reading.vital_signs_id],
    )
    assert refused("DELETE FROM treatment_sessions_sessionreading WHERE id = %s", [reading.pk])
    assert refused(
        "UPDATE treatment_sessions_sessionsignature SET signed_at = %s WHERE session_id = %s",
        [timezone.now() - timedelta(days=1), session.pk],
    )
    assert refused(
        "DELETE FROM treatment_sessions_sessionsignature WHERE session_id = %s", [session.pk]
    )
    assert refused(
        "INSERT INTO treatment_sessions_sessionreading "
        "(session_id, vital_signs_id, source, device_reading_id, pre_dose, taken_at) "
        "SELECT session_id, vital_signs_id, source, 'forged', pre_dose, taken_at "
        "FROM treatment_sessions_sessionreading WHERE id = %s",
        [reading.pk],
    )


def test_an_open_session_is_still_recorded(clinician, nurse, patient_alice):
    session = session_factories.started_session(clinician, nurse, patient_alice)
    assert not refused(
        "UPDATE treatment_sessions_treatmentsession SET identity_confirmed_at = %s WHERE id = %s",
        [timezone.now(), session.pk],
    )


def test_audit_rows_refuse_update_and_delete(patient_alice):
    event = AuditEvent.objects.filter(patient_id=patient_alice.pk).first()
    assert refused("UPDATE audit_auditevent SET actor_label = 'x' WHERE id = %s", [event.pk])
    assert refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_every_guard_has_its_triggers_and_they_cover_every_column(db):
    """SQLite rebuilds a table on some migrations, dropping its triggers; the guards are put
    back after every migrate, and on SQLite they name each column they freeze."""
    with connection.cursor() as cursor:
        for guard in registered_row_guards():
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [guard.table],
                )
                triggers = dict(cursor.fetchall())
                update = triggers[f"{guard.name}_no_update"]
                assert f"{guard.name}_no_delete" in triggers
                columns = [
                    column.name
                    for column in connection.introspection.get_table_description(
                        cursor, guard.table
                    )
                ]
                for column in columns:
                    if column not in guard.mutable_columns:
                        assert f'OLD."{column}" IS NOT NEW."{column}"' in update, (
                            guard.name,
                            column,
                        )
            else:
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                    [guard.table],
                )
                names = {row[0] for row in cursor.fetchall()}
                assert {f"{guard.name}_guard", f"{guard.name}_no_truncate"} <= names


# --- what got around the database is found -------------------------------------------------
def test_a_rewritten_evaluation_is_flagged_on_its_page_and_by_verify_records(
    signed_evaluation, medical_director, patient_alice
):
    call_command("verify_records", stdout=io.StringIO())
    with triggers_lifted():
        Evaluation.objects.filter(pk=signed_evaluation.pk).update(decision_reasoning="Rewritten.")
    page = client_for(medical_director).get(
        f"/patients/{patient_alice.public_id}/evaluation/{signed_evaluation.public_id}/"
    )
    assert "does not match its signature" in page.content.decode()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.RECORD_SEAL_BROKEN,
        target_id=str(signed_evaluation.pk),
        actor=medical_director,
    ).exists()
    assert f"evaluation {signed_evaluation.pk}: The evaluation" in verify_records_fails()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.RECORDS_VERIFIED, outcome="failed"
    ).exists()


def test_an_untouched_evaluation_shows_no_warning(
    signed_evaluation, medical_director, patient_alice
):
    page = client_for(medical_director).get(
        f"/patients/{patient_alice.public_id}/evaluation/{signed_evaluation.public_id}/"
    )
    assert "does not match its signature" not in page.content.decode()


def test_a_rewritten_plan_version_is_flagged_in_the_chart(clinician, patient_alice):
    version = session_factories.plan_for(clinician, patient_alice)
    with triggers_lifted():
        TreatmentPlanVersion.objects.filter(pk=version.pk).update(infusion_minutes=1)
    page = client_for(clinician).get(f"/patients/{patient_alice.public_id}/?section=plan")
    assert "does not match its signature" in page.content.decode()
    assert f"plan version {version.pk}:" in verify_records_fails()


def test_a_changed_reading_in_a_locked_session_is_flagged(signed_session, clinician):
    reading = SessionReading.objects.filter(session=signed_session).first()
    page = client_for(clinician).get(f"/sessions/{signed_session.public_id}/summary/")
    assert "does not match its signature" not in page.content.decode()
    with triggers_lifted():
        from clinic.patients.models import VitalSigns

        VitalSigns.objects.filter(pk=reading.vital_signs_id).update(systolic_mmhg=118)
    for url in (
        f"/sessions/{signed_session.public_id}/",
        f"/sessions/{signed_session.public_id}/summary/",
    ):
        assert "does not match its signature" in client_for(clinician).get(url).content.decode()
    assert f"treatment session {signed_session.pk}:" in verify_records_fails()


def test_a_rewritten_consent_text_is_found(clinician, patient_alice):
    session_factories.plan_for(clinician, patient_alice)
    signature = ConsentSignature.objects.get(patient=patient_alice)
    with triggers_lifted():
        ConsentDocument.objects.filter(pk=signature.document_id).update(body="Different words.")
    page = client_for(clinician).get(f"/patients/{patient_alice.public_id}/?section=evaluation")
    assert "does not match its signature" in page.content.decode()
    assert f"consent signature {signature.pk}:" in verify_records_fails()


def test_verify_records_passes_on_an_untouched_clinic(signed_session, signed_evaluation, capsys):
    call_command("verify_records")
    output = capsys.readouterr().out
    assert "Every signed record and the audit chain match" in output
    assert "treatment session: 1 checked" in output and "evaluation: 2 checked" in output


# --- the audit chain -----------------------------------------------------------------------
def test_audit_rows_are_numbered_without_gaps(patient_alice, clinician):
    for _ in range(3):
        with transaction.atomic():
            record_audit_event(actor=clinician, event_type=AuditEventType.PATIENT_CHART_VIEWED)
    positions = list(
        AuditEvent.objects.order_by("chain_position").values_list("chain_position", flat=True)
    )
    assert positions == list(range(1, len(positions) + 1))


def test_a_removed_audit_row_breaks_the_chain(clinician):
    for _ in range(3):
        with transaction.atomic():
            record_audit_event(actor=clinician, event_type=AuditEventType.PATIENT_CHART_VIEWED)
    middle = AuditEvent.objects.order_by("chain_position")[1]
    with triggers_lifted():
        AuditEvent.objects.filter(pk=middle.pk)._raw_delete(connection.alias)
    assert "missing" in verify_records_fails()
    from clinic.audit.chain import verify_chain

    problems = verify_chain().problems
    assert problems and "missing" in problems[0].problem


def test_a_changed_audit_row_breaks_the_chain(patient_alice):
    from clinic.audit.chain import verify_chain

    first = AuditEvent.objects.order_by("chain_position").first()
    with triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_label = 'someone.else@example.org' WHERE id = %s",
            [first.pk],
        )
    problems = verify_chain().problems
    assert [p.chain_position for p in problems][:1] == [first.chain_position]


def test_a_forged_back_dated_audit_row_breaks_the_chain(patient_alice):
    """Inserting needs no lifted trigger, only INSERT rights; without the key the forger cannot
    seal the row."""
    from clinic.audit.chain import verify_chain

    last = AuditEvent.objects.order_by("-chain_position").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (occurred_at, actor_label, actor_role, event_type, "
            "outcome, target_type, target_id, user_agent, details, chain_position, chain_sha256) "
            "VALUES (%s, 'forger@example.org', 'clinician', 310, 'success', '', '', '', '{}', "
            "%s, %s)",
            [timezone.now() - timedelta(days=30), last.chain_position + 1, "f" * 64],
        )
    problems = verify_chain().problems
    assert problems and problems[0].chain_position == last.chain_position + 1


def test_the_trail_is_intact_after_ordinary_work(signed_session):
    from clinic.audit.chain import verify_chain

    report = verify_chain()
    assert report.intact and report.rows_checked == AuditEvent.objects.count()


# --- as the application's own database role (PostgreSQL) -----------------------------------
APP_ROLE = "clinic_app_test"


@pytest.fixture
def as_application_role(db):
    """Grant the test role exactly what docs/postgresql-app-role.sql grants, then act as it for
    the rest of the test's transaction."""
    from pathlib import Path

    sql = (Path(__file__).resolve().parents[2] / "docs" / "postgresql-app-role.sql").read_text()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') "
            f"THEN CREATE ROLE {APP_ROLE} NOLOGIN; END IF; END $$"
        )
        statements = [
            line for line in sql.splitlines() if line.strip() and not line.lstrip().startswith("--")
        ]
        for statement in " ".join(statements).split(";"):
            if statement.strip():
                cursor.execute(statement.replace("clinic_app", APP_ROLE))
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@postgres_only
def test_the_application_role_cannot_tamper_with_sealed_rows(
    signed_evaluation, signed_session, patient_alice, as_application_role, clinician
):
    assert refused(
        "UPDATE evaluation_evaluation SET decision_reasoning = 'x' WHERE id = %s",
        [signed_evaluation.pk],
    )
    assert refused(
        "UPDATE treatment_sessions_treatmentsession SET dose_mg = 1 WHERE id = %s",
        [signed_session.pk],
    )
    assert refused("UPDATE audit_auditevent SET actor_label = 'x'")
    assert refused("DELETE FROM audit_auditevent")
    assert refused("TRUNCATE audit_auditevent")
    assert refused("TRUNCATE evaluation_evaluation CASCADE")
    assert refused("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    # …and still does its work: the audit trail takes new rows, chained.
    with transaction.atomic():
        record_audit_event(actor=clinician, event_type=AuditEventType.PATIENT_CHART_VIEWED)


@postgres_only
def test_truncate_is_refused_by_trigger_even_if_the_right_is_granted(
    patient_alice, as_application_role
):
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f"GRANT TRUNCATE ON audit_auditevent TO {APP_ROLE}")
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
    assert refused("TRUNCATE audit_auditevent")
