"""`make bench`: the product's hot paths beside their floors.

Every figure goes through the services and views a person uses (audit included, one transaction
per action) and is printed beside a floor measured in the same process and the same run: the same
rows inserted the cheapest way (`bulk_create`, and PostgreSQL's `COPY`), a bare indexed query, a
bare signed-in view served through the same middleware. Targets are ratios to those floors and
statement counts, so they mean the same on a laptop and a server, on SQLite and PostgreSQL. A
benchmark, not a test: it prints numbers, marks each target met or MISSED, and exits 0 (set
BENCH_STRICT=1 to exit 1 when a target is missed).

Runs on the database DATABASE_URL names (SQLite, in a file, when unset), in a throwaway database.
The controlled-substance register's figures (ten years of a ledger, the inventory as of a date)
are in bench/register.py.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import reverse
from django.utils import timezone

from bench import register
from bench.clinic import Clinic, in_range_values, reading_values
from bench.measure import Comparison, Figure, per_row, report, timed, timed_in_turns
from clinic.accounts.services import issue_device_token
from clinic.assessments.tests.factories import record_phq9
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.models import Evaluation
from clinic.patients.choices import PatientStatus, VitalSignsContext
from clinic.patients.models import (
    Patient,
    VitalSigns,
)
from clinic.patients.selectors import search_patients
from clinic.patients.services import register_patient
from clinic.patients.tests.factories import (
    patient_details,
)
from clinic.sessions import services as session_services
from clinic.sessions.choices import ReadingSource
from clinic.sessions.models import SessionReading

PATIENT_COUNT = int(os.environ.get("BENCH_PATIENTS", "1000"))
PAGE_OPENS = int(os.environ.get("BENCH_PAGE_OPENS", "200"))
READINGS_PER_BATCH = 100
INGEST_BATCHES = int(os.environ.get("BENCH_INGEST_BATCHES", "20"))
MANUAL_READINGS = int(os.environ.get("BENCH_MANUAL_READINGS", "200"))
EVALUATIONS = min(PATIENT_COUNT, 200)
FLOWSHEET_READINGS = 40
LONG_SESSION_READINGS = 500
# Readings posted one at a time into the long session and into an empty one (the floor).
ONE_AT_A_TIME = 60
PRODUCTION_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


def peak_memory_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- floors ------------------------------------------------------------------------------------
def raw_patient_rows(clinic: Clinic, count: int, start: int):
    """Patient and audit rows like the ones registration writes, for the raw-insert floors.
    Audit rows get negative chain positions: outside the product's chain, never its head."""
    patients = [
        Patient(
            mrn=f"RAW-{start + n:06d}",
            location=clinic.location,
            legal_first_name=f"Raw{start + n}",
            legal_last_name="Floor",
            date_of_birth=date(1985, 3, 14),
            sex="female",
            phone="(617) 555-0199",
            email=f"raw{start + n}@example.com",
        )
        for n in range(count)
    ]
    events = [
        AuditEvent(
            actor=clinic.clinician,
            actor_label="Bench Prescriber",
            event_type=AuditEventType.PATIENT_CREATED,
            location_id=clinic.location.pk,
            details={"source": "bench"},
            chain_position=-(start + n + 1),
            chain_sha256="0" * 64,
        )
        for n in range(count)
    ]
    return patients, events


RAW_PATIENT_INSERT = "floor: raw insert of a patient and its audit row (1 txn)"


def raw_patient_insert(clinic: Clinic, operations: int) -> Callable[[int], None]:
    patients, events = raw_patient_rows(clinic, operations, start=0)

    def insert(i: int) -> None:
        with transaction.atomic():
            Patient.objects.bulk_create([patients[i]])
            AuditEvent.objects.bulk_create([events[i]])

    return insert


def floor_copy_patients(clinic: Clinic, rows: int) -> Figure | None:
    """PostgreSQL's COPY of the same patient rows: the fastest way in at all."""
    if connection.vendor != "postgresql":
        return None
    columns = [
        "public_id",
        "mrn",
        "location_id",
        "legal_first_name",
        "legal_last_name",
        "preferred_name",
        "date_of_birth",
        "sex",
        "phone",
        "email",
        "status",
        "created_at",
        "updated_at",
    ]
    now = timezone.now()
    table = Patient._meta.db_table
    # Columns not listed take their database defaults; fill every NOT NULL one the model has.
    model_fields = {f.column: f for f in Patient._meta.concrete_fields}
    extra = [
        name
        for name, field in model_fields.items()
        if name not in columns and name != "id" and not field.null
    ]
    values_of_extra = {}
    for name in extra:
        default = model_fields[name].get_default()
        values_of_extra[name] = json.dumps(default) if isinstance(default, list | dict) else default

    def copy(_: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            sql = f'COPY "{table}" ({", ".join([*columns, *extra])}) FROM STDIN'
            with cursor.cursor.copy(sql) as copier:
                for n in range(rows):
                    copier.write_row(
                        [
                            uuid.uuid4(),
                            f"COPY-{copy.batch:03d}{n:06d}",
                            clinic.location.pk,
                            f"Copy{n}",
                            "Floor",
                            "",
                            date(1985, 3, 14),
                            "female",
                            "(617) 555-0199",
                            f"copy{n}@example.com",
                            "active",
                            now,
                            now,
                            *[values_of_extra[name] for name in extra],
                        ]
                    )
            copy.batch += 1

    copy.batch = 0
    figure = timed(f"floor: COPY of {rows} patient rows (1 txn)", 1, copy)
    return Figure(
        figure.name.replace(f"{rows} patient rows", "patient rows, per row"), rows, figure.seconds
    )


def bulk_readings(session, rows: int) -> Callable[[int], None]:
    """`bulk_create` of the rows a monitor batch stores (vital signs and their session link)."""
    taken = timezone.now() - timedelta(hours=1)

    def insert(batch: int) -> None:
        with transaction.atomic():
            vitals = VitalSigns.objects.bulk_create(
                VitalSigns(
                    patient_id=session.patient_id,
                    location_id=session.location_id,
                    context=VitalSignsContext.MONITORING,
                    taken_at=taken,
                    **in_range_values(n),
                )
                for n in range(rows)
            )
            SessionReading.objects.bulk_create(
                SessionReading(
                    session=session,
                    vital_signs=v,
                    source=ReadingSource.DEVICE,
                    device_reading_id=f"floor-{batch}-{n}",
                    taken_at=taken,
                )
                for n, v in enumerate(vitals)
            )

    return insert


RAW_READING = "floor: raw insert of a reading and its audit row (1 txn)"


def raw_reading(session) -> Callable[[int], None]:
    """One reading inserted raw (vital signs, its session link, an audit row), 1 transaction."""
    taken = timezone.now() - timedelta(minutes=30)

    def insert(i: int) -> None:
        with transaction.atomic():
            (vitals,) = VitalSigns.objects.bulk_create(
                [
                    VitalSigns(
                        patient_id=session.patient_id,
                        location_id=session.location_id,
                        context=VitalSignsContext.MONITORING,
                        taken_at=taken,
                        **in_range_values(i),
                    )
                ]
            )
            SessionReading.objects.bulk_create(
                [
                    SessionReading(
                        session=session,
                        vital_signs=vitals,
                        source=ReadingSource.MANUAL,
                        taken_at=taken,
                    )
                ]
            )
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(
                        actor_label="bench",
                        event_type=AuditEventType.SESSION_READING_RECORDED,
                        patient_id=session.patient_id,
                        chain_position=-(10_000_000 + i),
                        chain_sha256="0" * 64,
                    )
                ]
            )

    return insert


BASELINE_VITALS = {"systolic_mmhg": 122, "diastolic_mmhg": 78, "heart_rate_bpm": 72, "spo2_pct": 98}


RAW_BASELINE_VITALS = "floor: raw insert of vital signs, the evaluation's link, an audit row"


def raw_baseline_vitals(evaluations: list) -> Callable[[int], None]:
    """The rows recording an evaluation's baseline vital signs writes, raw: the vital signs, the
    evaluation pointed at them, an audit row; 1 transaction."""
    taken = timezone.now() - timedelta(minutes=10)

    def insert(i: int) -> None:
        evaluation = evaluations[i % len(evaluations)]
        with transaction.atomic():
            (vitals,) = VitalSigns.objects.bulk_create(
                [
                    VitalSigns(
                        patient_id=evaluation.patient_id,
                        location_id=evaluation.location_id,
                        context=VitalSignsContext.EVALUATION,
                        taken_at=taken,
                        **BASELINE_VITALS,
                    )
                ]
            )
            Evaluation.objects.filter(pk=evaluation.pk).update(baseline_vitals=vitals)
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(
                        actor_label="bench",
                        event_type=AuditEventType.VITAL_SIGNS_RECORDED,
                        patient_id=evaluation.patient_id,
                        chain_position=-(20_000_000 + i),
                        chain_sha256="0" * 64,
                    )
                ]
            )

    return insert


def floor_indexed_query(operations: int) -> Figure:
    mrns = list(Patient.objects.values_list("mrn", flat=True)[:operations]) or ["none"]

    def query(i: int) -> None:
        list(Patient.objects.filter(mrn=mrns[i % len(mrns)]).values_list("pk", flat=True))

    return timed("floor: a bare indexed query (patient by MRN)", operations, query)


def floor_bare_view(client: Client, operations: int) -> Figure:
    def get(_: int) -> bytes:
        response = client.get("/bench/bare/")
        assert response.status_code == 200, response.status_code
        return response.content

    return timed("floor: a bare signed-in view (same middleware)", operations, get)


# --- figures -------------------------------------------------------------------------------------
def page(client: Client, url: str, params: dict | None = None):
    def get(_: int) -> bytes:
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    return get


def poll(client: Client, url: str):
    """The live region polled as the tablet polls it: each request sends back the version it
    holds (If-None-Match) and is answered 304 while nothing changed (the first gets it whole)."""
    held = {"etag": ""}

    def get(_: int) -> bytes:
        headers = {"HX-Request": "true"}
        if held["etag"]:
            headers["If-None-Match"] = held["etag"]
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 304), (url, response.status_code)
        held["etag"] = response["ETag"]
        return response.content

    return get


def run() -> tuple[list[Comparison], list[str]]:
    clinic = Clinic()
    notes: list[str] = []
    comparisons: list[Comparison] = []

    # Writes: registration against the raw insert of the same rows, timed in turns.
    patients = []
    registration, raw_insert = timed_in_turns(
        "register a patient (service + audit, 1 txn)",
        lambda i: patients.append(
            register_patient(
                actor=clinic.clinician, location=clinic.location, details=patient_details()
            )
        ),
        RAW_PATIENT_INSERT,
        raw_patient_insert(clinic, PATIENT_COUNT),
        PATIENT_COUNT,
    )
    comparisons.append(Comparison(registration, raw_insert, target_ratio=0.4, target_statements=6))
    copy_floor = floor_copy_patients(clinic, 1000)
    if copy_floor is not None:
        comparisons.append(
            Comparison(
                Figure(
                    registration.name + ", vs COPY",
                    registration.operations,
                    registration.seconds,
                    registration.statements,
                ),
                copy_floor,
            )
        )

    # An evaluation's baseline vital signs against the raw writes of the same rows.
    evaluations = [
        evaluation_services.start_evaluation(actor=clinic.clinician, patient=patient)
        for patient in patients[:EVALUATIONS]
    ]
    baseline_vitals, raw_vitals = timed_in_turns(
        "record an evaluation's baseline vital signs (service + audit)",
        lambda i: evaluation_services.record_baseline_vitals(
            actor=clinic.clinician,
            evaluation=evaluations[i],
            values=BASELINE_VITALS,
            taken_at=timezone.now() - timedelta(minutes=10),
        ),
        RAW_BASELINE_VITALS,
        raw_baseline_vitals(evaluations),
        len(evaluations),
    )
    comparisons.append(
        Comparison(baseline_vitals, raw_vitals, target_ratio=0.4, target_statements=6)
    )

    # Reads and pages against a bare signed-in view.
    client = clinic.client_for(clinic.clinician)
    bare = floor_bare_view(client, PAGE_OPENS)
    indexed = floor_indexed_query(PAGE_OPENS)
    chart_url = f"/patients/{patients[len(patients) // 2].public_id}/"
    comparisons.append(
        Comparison(
            timed("open a patient's chart (HTTP, audited)", PAGE_OPENS, page(client, chart_url)),
            bare,
            target_ratio=0.5,
        )
    )
    last_names = [p.legal_last_name for p in patients]
    mrns = [p.mrn for p in patients]
    comparisons.append(
        Comparison(
            timed(
                "search the patient list by name (HTTP, audited)",
                PAGE_OPENS,
                lambda i: page(client, "/patients/", {"q": last_names[i % len(last_names)]})(i),
            ),
            bare,
        )
    )
    comparisons.append(
        Comparison(
            timed(
                "search the patient list by MRN (HTTP, audited)",
                PAGE_OPENS,
                lambda i: page(client, "/patients/", {"q": mrns[i % len(mrns)]})(i),
            ),
            bare,
        )
    )
    comparisons.append(
        Comparison(
            timed(
                "find a patient by MRN (selector, no HTTP)",
                PAGE_OPENS,
                lambda i: list(search_patients(clinic.clinician, query=mrns[i % len(mrns)])),
            ),
            indexed,
        )
    )

    comparisons.append(
        Comparison(
            timed(
                "record and score a PHQ-9 (service + audit)",
                PATIENT_COUNT,
                lambda i: record_phq9(
                    actor=clinic.clinician, patient=patients[i], total=(i * 7) % 25, days_ago=i % 30
                ),
            )
        )
    )
    Patient.objects.filter(pk__in=[p.pk for p in patients]).update(status=PatientStatus.ACTIVE)
    comparisons.append(
        Comparison(
            timed(
                f"open the clinical dashboard (HTTP, {PATIENT_COUNT} patients)",
                20,
                page(client, "/dashboard/"),
            ),
            bare,
        )
    )

    # The treatment session: readings typed by hand, monitor batches, the chair-side page.
    dosed_at = timezone.now() - timedelta(hours=3)
    manual = clinic.dosed_session(0)
    by_hand, raw = timed_in_turns(
        "record a reading by hand (service + alerts + audit)",
        lambda i: session_services.record_reading(
            actor=clinic.nurse, session=manual, values=in_range_values(i)
        ),
        RAW_READING,
        raw_reading(clinic.dosed_session(1)),
        MANUAL_READINGS,
    )
    comparisons.append(Comparison(by_hand, raw, target_ratio=0.4, target_statements=6))

    device, token = issue_device_token(
        actor=clinic.director, name="Bench chair monitor", location=clinic.location
    )
    monitored = clinic.dosed_session(2, dosed_at=dosed_at)

    def ingest(batch: int) -> None:
        session_services.ingest_device_readings(
            device=device,
            session_public_id=monitored.public_id,
            readings=[
                session_services.DeviceReading(
                    reading_id=f"bench-{batch}-{k}",
                    taken_at=dosed_at + timedelta(seconds=5 * (batch * READINGS_PER_BATCH + k + 1)),
                    values=reading_values(batch * READINGS_PER_BATCH + k),
                )
                for k in range(READINGS_PER_BATCH)
            ],
        )

    batches, bulk = timed_in_turns(
        "ingest monitor batches",
        ingest,
        "bulk_create batches",
        bulk_readings(clinic.dosed_session(3, dosed_at=dosed_at), READINGS_PER_BATCH),
        INGEST_BATCHES,
    )
    comparisons.append(
        Comparison(
            per_row(
                batches,
                READINGS_PER_BATCH,
                f"monitor ingestion, batches of {READINGS_PER_BATCH} (service; readings)",
            ),
            per_row(
                bulk,
                READINGS_PER_BATCH,
                f"floor: bulk_create of readings, batches of {READINGS_PER_BATCH} (readings)",
            ),
            target_ratio=0.3,
        )
    )

    # The API monitors use, in batches of 10 (HTTP, bearer token).
    api_session = clinic.dosed_session(4, dosed_at=dosed_at)
    device_client = Client(headers={"Authorization": f"Bearer {token}"})

    def post_batch(batch: int) -> None:
        readings = [
            {
                "reading_id": f"api-{batch}-{k}",
                "taken_at": (dosed_at + timedelta(seconds=5 * (batch * 10 + k + 1))).isoformat(),
                **reading_values(batch * 10 + k),
            }
            for k in range(10)
        ]
        response = device_client.post(
            f"/api/v1/sessions/{api_session.public_id}/vitals",
            data=json.dumps({"readings": readings}),
            content_type="application/json",
        )
        assert response.status_code == 200, (response.status_code, response.content[:500])

    api = timed("post vitals through the API", 40, post_batch)
    comparisons.append(
        Comparison(
            Figure(
                "monitor readings through the API, batches of 10 (HTTP; readings)",
                api.operations * 10,
                api.seconds,
                api.statements,
            )
        )
    )

    # One reading posted at a time: the cost must not grow with the session's readings. Timed in
    # turns with the same post into a session that starts empty (0 to 50 readings).
    growing = clinic.dosed_session(5, dosed_at=dosed_at)
    fresh = clinic.dosed_session(7, dosed_at=dosed_at)

    def one_reading(session, offset: int):
        def post(i: int) -> None:
            session_services.ingest_device_readings(
                device=device,
                session_public_id=session.public_id,
                readings=[
                    session_services.DeviceReading(
                        reading_id=f"one-{offset + i}",
                        taken_at=dosed_at + timedelta(seconds=5 * (offset + i + 1)),
                        values=in_range_values(offset + i),
                    )
                ],
            )

        return post

    def fill(session, first: int, count: int) -> None:
        session_services.ingest_device_readings(
            device=device,
            session_public_id=session.public_id,
            readings=[
                session_services.DeviceReading(
                    reading_id=f"fill-{n}",
                    taken_at=dosed_at + timedelta(seconds=5 * n),
                    values=in_range_values(n),
                )
                for n in range(first, first + count)
            ],
        )

    fill(growing, 100, LONG_SESSION_READINGS)
    late, early = timed_in_turns(
        f"one reading posted after {LONG_SESSION_READINGS} readings",
        one_reading(growing, 100 + LONG_SESSION_READINGS),
        "one reading posted into an empty session",
        one_reading(fresh, 0),
        ONE_AT_A_TIME,
    )
    # The long session the live region is polled at below: 600 readings.
    fill(growing, 100 + LONG_SESSION_READINGS + ONE_AT_A_TIME, 99 - ONE_AT_A_TIME)
    comparisons.append(
        Comparison(
            late,
            early,
            target_ratio=0.8,
            note="floor here is the same post into an empty session: the cost must not grow",
        )
    )

    # The chair-side page and its live region, at 40 readings and at 500+.
    flowsheet = clinic.dosed_session(6, dosed_at=dosed_at)
    session_services.ingest_device_readings(
        device=device,
        session_public_id=flowsheet.public_id,
        readings=[
            session_services.DeviceReading(
                reading_id=f"flowsheet-{n}",
                taken_at=dosed_at + timedelta(minutes=2 * (n + 1)),
                values=reading_values(n),
            )
            for n in range(FLOWSHEET_READINGS - 1)
        ],
    )
    assert SessionReading.objects.filter(session=flowsheet).count() == FLOWSHEET_READINGS
    nurse_client = clinic.client_for(clinic.nurse)
    session_url = reverse("sessions:detail", args=[flowsheet.public_id])
    live_url = reverse("sessions:live", args=[flowsheet.public_id])
    comparisons.append(
        Comparison(
            timed(
                f"open a session page ({FLOWSHEET_READINGS} readings, HTTP)",
                PAGE_OPENS // 4,
                page(nurse_client, session_url),
            ),
            bare,
            target_ratio=0.5,
        )
    )
    comparisons.append(
        Comparison(
            timed(
                f"poll the live region ({FLOWSHEET_READINGS} readings, HTTP, 304 unchanged)",
                PAGE_OPENS,
                poll(nurse_client, live_url),
            ),
            bare,
            target_ratio=0.5,
        )
    )
    long_live = reverse("sessions:live", args=[growing.public_id])
    comparisons.append(
        Comparison(
            timed(
                f"poll the live region ({LONG_SESSION_READINGS + 100} readings, HTTP, 304 unchanged)",
                PAGE_OPENS // 4,
                poll(nurse_client, long_live),
            ),
            bare,
            target_ratio=0.5,
        )
    )

    # The register's inventory as of a date over ten years of a busy clinic (bench/register.py):
    # last, so that its sixty thousand sessions weigh on no figure above.
    if register.YEARS > 0:
        register_comparisons, register_notes = register.run(clinic)
        comparisons.extend(register_comparisons)
        notes.extend(register_notes)
        # The dashboard again, its register panel now over the whole ledger.
        comparisons.append(
            Comparison(
                timed(
                    f"open the clinical dashboard (HTTP, with the {register.YEARS}-year register)",
                    20,
                    page(clinic.client_for(clinic.clinician), "/dashboard/"),
                ),
                bare,
            )
        )
    return comparisons, notes


def main() -> int:
    # The task queue logs every task it runs (alert e-mails); the figures are the output here.
    logging.disable(logging.INFO)
    setup_test_environment()
    if connection.vendor == "sqlite":
        # An on-disk file, as in a real SQLite installation; one per run, so that two runs at
        # once (two checkouts on one machine) do not overwrite each other's database.
        connection.settings_dict["TEST"]["NAME"] = (
            f"/tmp/ketamine-clinic-bench-{os.getpid()}.sqlite3"
        )
    old_config = setup_databases(verbosity=0, interactive=False)
    missed = 0
    try:
        # Background work (a stop-level alert's e-mail) is queued in the database as in
        # production, not run in the request as the test settings run it: a figure is what the
        # request costs, and the e-mail is the worker's.
        with override_settings(ROOT_URLCONF="bench.urls", TASKS=PRODUCTION_TASKS):
            comparisons, notes = run()
        title = (
            f"Ketamine Clinic benchmark: {connection.vendor}, {PATIENT_COUNT} patients, "
            f"{AuditEvent.objects.filter(chain_position__gt=0).count()} audit events written"
        )
        print()
        print(report(title, comparisons))
        for note in notes:
            print(note)
        print(f"peak memory (RSS): {peak_memory_mib():.0f} MiB\n")
        missed = sum(1 for c in comparisons if c.misses)
    finally:
        teardown_databases(old_config, verbosity=0)
    return 1 if missed and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
