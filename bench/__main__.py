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

        print(
            f"\nKetamine Clinic benchmark: {connection.vendor}, {PATIENT_COUNT} patients, "
            f"{AuditEvent.objects.count()} audit events written"
        )
        print(f"{'operation':<52} {'count':>6} {'seconds':>8} {'ops/s':>9}")
        for result in results:
            print(
                f"{result.name:<52} {result.operations:>6} {result.seconds:>8.2f} {result.per_second:>9.1f}"
            )
        print(f"peak memory (RSS): {peak_memory_mib():.0f} MiB\n")
    finally:
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
