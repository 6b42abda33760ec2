"""`make bench`: throughput of the product's hot paths, through the services and views a person
uses (audit included, one transaction per action). A benchmark, not a test: it prints numbers.

Runs on the database DATABASE_URL names (SQLite when unset), in a throwaway test database.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CLINIC_ENVIRONMENT", "test")

PATIENT_COUNT = int(os.environ.get("BENCH_PATIENTS", "1000"))
CHART_OPENS = int(os.environ.get("BENCH_CHART_OPENS", "200"))
# Vital signs posted by monitors: batches of 10 readings, spread over this many dosed sessions.
VITALS_BATCHES = int(os.environ.get("BENCH_VITALS_BATCHES", "40"))
VITALS_SESSIONS = int(os.environ.get("BENCH_VITALS_SESSIONS", "10"))
READINGS_PER_BATCH = 10
FLOWSHEET_READINGS = 40
FLOWSHEET_OPENS = int(os.environ.get("BENCH_FLOWSHEET_OPENS", "50"))


@dataclass
class Result:
    name: str
    operations: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else float("inf")


def timed(name: str, operations: int, action: Callable[[int], None]) -> Result:
    start = time.perf_counter()
    for index in range(operations):
        action(index)
    return Result(name, operations, time.perf_counter() - start)


def peak_memory_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reading_values(n: int) -> dict:
    """Realistic monitor values for the n-th reading; about one in four is out of range (a
    systolic above 180, an SpO₂ below 92 or a heart rate above 110) to exercise the alerts."""
    values = {
        "systolic_mmhg": 118 + n % 17,
        "diastolic_mmhg": 72 + n % 11,
        "heart_rate_bpm": 64 + n % 19,
        "respiratory_rate_per_min": 12 + n % 5,
        "spo2_pct": 95 + n % 5,
        "temperature_c": "36.8",
    }
    if n % 7 == 3:
        values["systolic_mmhg"] = 186
    if n % 11 == 5:
        values["spo2_pct"] = 90
    if n % 13 == 8:
        values["heart_rate_bpm"] = 118
    return values


def session_benchmarks(location) -> tuple[list[Result], list[str]]:
    """Monitors posting vitals through the API, and the session page with a full flowsheet.
    The sessions are built with the test factories (a signed evaluation, consent and plan, the
    checklist, pre-dose vitals, the confirmed and verified dose, the infusion started)."""
    import json
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from clinic.accounts.choices import Role
    from clinic.accounts.models import User
    from clinic.accounts.services import issue_device_token
    from clinic.patients.tests.factories import register_test_patient
    from clinic.sessions import services as session_services
    from clinic.sessions.models import SessionReading

    # The session factories sign with conftest.PASSWORD; `python -m bench` runs from the
    # repository root, so conftest is importable.
    from clinic.sessions.tests.factories import dosed
    from conftest import PASSWORD

    results: list[Result] = []
    notes: list[str] = []

    def staff(email: str, role: str, **extra) -> User:
        user = User.objects.create_user(email, PASSWORD, role=role, **extra)
        user.locations.set([location])
        return user

    director = staff(
        "director@bench.test",
        Role.MEDICAL_DIRECTOR,
        full_name="Bench Director",
        credentials="MD",
        is_staff=True,
    )
    prescriber = staff(
        "prescriber@bench.test", Role.CLINICIAN, full_name="Bench Prescriber", credentials="MD"
    )
    nurse = staff("nurse@bench.test", Role.NURSE, full_name="Bench Nurse", credentials="RN")
    # Dosed three hours ago: readings are timed after the dose (monitoring, not pre-dose), 15 s
    # apart, and always in the past (the API refuses future and >12 h old readings).
    dosed_at = timezone.now() - timedelta(hours=3)

    def dosed_session(index: int):
        patient = register_test_patient(
            actor=prescriber,
            location=location,
            first_name="Vitals",
            last_name=f"Bench{index}",
            portal=True,
        )
        return dosed(prescriber, nurse, patient, at=dosed_at)

    sessions = [dosed_session(i) for i in range(VITALS_SESSIONS)]
    device, token = issue_device_token(
        actor=director, name="Bench chair monitor", location=location
    )
    device_client = Client(headers={"Authorization": f"Bearer {token}"})

    def post_batch(batch: int) -> None:
        index, round_ = batch % len(sessions), batch // len(sessions)
        readings = []
        for k in range(READINGS_PER_BATCH):
            sequence = round_ * READINGS_PER_BATCH + k
            readings.append(
                {
                    "reading_id": f"bench-{index}-{sequence}",
                    "taken_at": (dosed_at + timedelta(seconds=15 * (sequence + 1))).isoformat(),
                    **reading_values(batch * READINGS_PER_BATCH + k),
                }
            )
        response = device_client.post(
            f"/api/v1/sessions/{sessions[index].public_id}/vitals",
            data=json.dumps({"readings": readings}),
            content_type="application/json",
        )
        assert response.status_code == 200, (response.status_code, response.content[:500])
        assert response.json()["stored"] == READINGS_PER_BATCH, response.content[:500]

    batches = timed("post vitals (API)", VITALS_BATCHES, post_batch)
    results.append(
        Result(
            f"vitals via API, {READINGS_PER_BATCH}/batch (readings)",
            batches.operations * READINGS_PER_BATCH,
            batches.seconds,
        )
    )

    # The session page of a session with 40 readings: the pre-dose one entered by the nurse and
    # 39 from the monitor (some out of range, so the page also lists alerts).
    flowsheet = dosed_session(VITALS_SESSIONS)
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
    page_url = reverse("sessions:detail", args=[flowsheet.public_id])
    nurse_client = Client()
    nurse_client.force_login(nurse)
    nurse_client.get(page_url)

    def open_session_page(_):
        response = nurse_client.get(page_url)
        assert response.status_code == 200, response.status_code

    results.append(
        timed(
            f"open a session page ({FLOWSHEET_READINGS} readings, HTTP)",
            FLOWSHEET_OPENS,
            open_session_page,
        )
    )
    # What each tablet asks for every second while the page is open.
    live_url = reverse("sessions:live", args=[flowsheet.public_id])

    def poll_live_region(_):
        response = nurse_client.get(live_url)
        assert response.status_code == 200, response.status_code

    results.append(
        timed(
            f"poll the live region ({FLOWSHEET_READINGS} readings, HTTP)",
            FLOWSHEET_OPENS * 2,
            poll_live_region,
        )
    )
    return results, notes


def main() -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    if connection.vendor == "sqlite":
        # An on-disk file, as in a real SQLite installation (the test default is in memory).
        connection.settings_dict["TEST"]["NAME"] = "/tmp/ketamine-clinic-bench.sqlite3"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from clinic.accounts.choices import Role
        from clinic.accounts.models import User
        from clinic.audit.models import AuditEvent
        from clinic.core.models import Location, Organisation
        from clinic.patients.models import Patient
        from clinic.patients.services import register_patient
        from clinic.patients.tests.factories import patient_details

        organisation = Organisation.objects.create(name="Bench clinic")
        location = Location.objects.create(
            organisation=organisation,
            name="Bench",
            address_line1="1 Main St",
            city="Boston",
            phone="(617) 555-0100",
            time_zone="America/New_York",
        )
        clinician = User.objects.create_user(
            "bench@clinic.test", "bench-password-123", full_name="Bench", role=Role.CLINICIAN
        )
        clinician.locations.set([location])

        results = []
        patients = []
        results.append(
            timed(
                "register patient (service + audit, 1 transaction)",
                PATIENT_COUNT,
                lambda i: patients.append(
                    register_patient(actor=clinician, location=location, details=patient_details())
                ),
            )
        )
        client = Client()
        client.force_login(clinician)
        chart_url = f"/patients/{patients[len(patients) // 2].public_id}/"
        client.get(chart_url)

        def open_chart(_):
            response = client.get(chart_url)
            assert response.status_code == 200, response.status_code

        results.append(timed("open a patient's chart (HTTP, audited)", CHART_OPENS, open_chart))

        def search(i):
            response = client.get("/patients/", {"q": f"Last{i % 900 + 1}"})
            assert response.status_code == 200

        results.append(timed("search the patient list (HTTP, audited)", CHART_OPENS, search))

        from clinic.assessments.tests.factories import record_phq9

        results.append(
            timed(
                "record and score a PHQ-9 (service + audit)",
                PATIENT_COUNT,
                lambda i: record_phq9(
                    actor=clinician, patient=patients[i], total=(i * 7) % 25, days_ago=i % 30
                ),
            )
        )
        Patient.objects.update(status="active")

        def open_dashboard(_):
            response = client.get("/dashboard/")
            assert response.status_code == 200, response.status_code

        results.append(
            timed("open the clinical dashboard (HTTP, 1,000 patients)", 20, open_dashboard)
        )

        session_results, notes = session_benchmarks(location)
        results.extend(session_results)

        print(
            f"\nKetamine Clinic benchmark: {connection.vendor}, {PATIENT_COUNT} patients, "
            f"{AuditEvent.objects.count()} audit events written"
        )
        print(f"{'operation':<52} {'count':>6} {'seconds':>8} {'ops/s':>9}")
        for result in results:
            print(
                f"{result.name:<52} {result.operations:>6} {result.seconds:>8.2f} {result.per_second:>9.1f}"
            )
        for note in notes:
            print(note)
        print(f"peak memory (RSS): {peak_memory_mib():.0f} MiB\n")
    finally:
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
