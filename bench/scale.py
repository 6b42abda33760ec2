"""`make bench-scale`: does a page cost the same in a clinic a hundred times bigger?

Builds a clinic of about 1,000 patients (10,000 questionnaire responses, 5,000 vital-sign sets,
20,000 audit rows) and times the pages staff open all day: the chart, the clinical dashboard, the
patient search by name and by MRN, the chair-side live region and the audit log. Then it grows the
same clinic to BENCH_SCALE_PATIENTS (100,000 by default) with 10 responses and 5 vital-sign sets
per patient (1,000,000 and 500,000) and 10 audit rows per patient, by bulk inserts (minutes, not
hours), and times the same pages again. Each page's median latency at the large size should stay
within 1.25× of the small size's: a page whose cost grows with the clinic is a page that will one
day time out. It also prints the memory of a fresh worker process after every page (a worker's
memory should stay under 150 MiB; bench.scale_worker).

A benchmark, not a test: it prints numbers and marks each target met or MISSED; BENCH_STRICT=1
makes a miss exit 1. Runs on the database DATABASE_URL names (SQLite, in a file, when unset).
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import setup_databases, setup_test_environment, teardown_databases
from django.urls import reverse
from django.utils import timezone

from bench.clinic import Clinic, reading_values
from bench.courses import CourseGrower
from clinic.accounts.services import issue_device_token
from clinic.assessments.choices import AssessmentContext, ResponseMode, ResponseStatus
from clinic.assessments.instruments import get_instrument
from clinic.assessments.models import AssessmentResponse
from clinic.assessments.summaries import rebuild_all
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.outcomes.courses import rebuild_all as rebuild_course_summaries
from clinic.patients.choices import PatientStatus, Sex, VitalSignsContext
from clinic.patients.models import Patient, VitalSigns
from clinic.sessions import services as session_services
from clinic.sessions.models import TreatmentSession
from clinic.treatment.models import TreatmentPlanVersion

SMALL_PATIENTS = int(os.environ.get("BENCH_SCALE_SMALL", "1000"))
LARGE_PATIENTS = int(os.environ.get("BENCH_SCALE_PATIENTS", "100000"))
RESPONSES_PER_PATIENT = 10
VITALS_PER_PATIENT = 5
AUDIT_ROWS_PER_PATIENT = 20
BATCH = 5_000
REQUESTS_PER_PAGE = int(os.environ.get("BENCH_SCALE_REQUESTS", "15"))
TARGET_GROWTH = 1.25
MEMORY_TARGET_MIB = 150
# The outcomes page computes every figure over the whole programme (aggregates in the database):
# its cost grows with the clinic by nature, so its target is absolute, per filter, at the large
# size: well under a second.
OUTCOMES_TARGET_MS = 500
OUTCOME_REQUESTS = int(os.environ.get("BENCH_SCALE_OUTCOME_REQUESTS", "3"))


def worker_memory_mib(
    pages: dict[str, tuple[Client, str, dict]], users: dict[Client, str]
) -> float:
    """The resident memory of a fresh worker process (bench.scale_worker) after serving every
    page on the database as it is now; this process grew the clinic and is no worker."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings['NAME']}"
    else:
        url = (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    job = {"pages": [[users[client], url_, params] for client, url_, params in pages.values()]}
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale_worker", json.dumps(job)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["VmRSS"]


class Grower:
    """Adds patients with their responses, vital signs and audit rows by bulk inserts."""

    def __init__(self, clinic: Clinic) -> None:
        self.clinic = clinic
        self.courses = CourseGrower(clinic)
        self.patients = 0
        phq9 = get_instrument("phq9")
        self.phq9_answers = {item.link_id: 1 for item in phq9.items if item.scored}

    def grow_to(self, patients: int) -> float:
        start = time.perf_counter()
        while self.patients < patients:
            count = min(BATCH, patients - self.patients)
            self._add(count)
            self.patients += count
        # Bulk rows bypass the services that keep the dashboard's progress summaries: rebuild
        # them, as after an import (manage.py rebuild_progress_summaries).
        rebuild_all()
        # The same for the outcomes page's course summaries (manage.py rebuild_course_summaries).
        rebuild_course_summaries()
        return time.perf_counter() - start

    def _add(self, count: int) -> None:
        location = self.clinic.location
        now = timezone.now()
        first = self.patients
        created = Patient.objects.bulk_create(
            Patient(
                mrn=f"SC-{first + n:07d}",
                location=location,
                legal_first_name=f"Scale{first + n}",
                legal_last_name=f"Surname{(first + n) * 7919 % 1_000_003:07d}",
                date_of_birth=date(1950 + (first + n) % 50, 1 + (first + n) % 12, 1 + n % 28),
                sex=Sex.FEMALE if n % 2 else Sex.MALE,
                phone="(617) 555-0199",
                email=f"scale{first + n}@example.com",
                status=PatientStatus.ACTIVE if n % 3 else PatientStatus.MAINTENANCE,
                primary_conditions=["trd"],
            )
            for n in range(count)
        )
        # Three in five patients are in a course of care (request, evaluation, plan, sessions).
        self.courses.add([patient for n, patient in enumerate(created) if n % 5 < 3])
        responses = []
        for index, patient in enumerate(created):
            for k in range(RESPONSES_PER_PATIENT):
                total = Decimal((index + k * 3) % 27)
                responses.append(
                    AssessmentResponse(
                        patient=patient,
                        location=location,
                        instrument_code="phq9",
                        context=AssessmentContext.PRE_SESSION if k else AssessmentContext.BASELINE,
                        mode=ResponseMode.PATIENT_LINK,
                        status=ResponseStatus.COMPLETED,
                        answers=self.phq9_answers,
                        taken_at=now - timedelta(days=7 * (RESPONSES_PER_PATIENT - k)),
                        total=total,
                        severity="moderate",
                    )
                )
        AssessmentResponse.objects.bulk_create(responses, batch_size=BATCH)
        VitalSigns.objects.bulk_create(
            (
                VitalSigns(
                    patient=patient,
                    location=location,
                    context=VitalSignsContext.OTHER,
                    taken_at=now - timedelta(days=k),
                    **{
                        key: value
                        for key, value in reading_values(index + k).items()
                        if key != "temperature_c"
                    },
                )
                for index, patient in enumerate(created)
                for k in range(VITALS_PER_PATIENT)
            ),
            batch_size=BATCH,
        )
        # Outside the product's chain (negative positions): volume for the audit log page.
        base = first * AUDIT_ROWS_PER_PATIENT
        AuditEvent.objects.bulk_create(
            (
                AuditEvent(
                    actor=self.clinic.clinician,
                    actor_label="Bench Prescriber",
                    event_type=AuditEventType.PATIENT_CHART_VIEWED,
                    patient_id=patient.pk,
                    location_id=location.pk,
                    occurred_at=now - timedelta(minutes=index),
                    chain_position=-(base + index * AUDIT_ROWS_PER_PATIENT + k + 1),
                    chain_sha256="0" * 64,
                )
                for index, patient in enumerate(created)
                for k in range(AUDIT_ROWS_PER_PATIENT)
            ),
            batch_size=BATCH,
        )


def median_ms(client: Client, url: str, params: dict | None = None) -> float:
    client.get(url, params or {})  # warm: templates compiled, caches filled
    times = []
    for _ in range(REQUESTS_PER_PAGE):
        start = time.perf_counter()
        response = client.get(url, params or {})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def measure(clinic: Clinic, pages: dict[str, tuple[Client, str, dict]]) -> dict[str, float]:
    return {name: median_ms(client, url, params) for name, (client, url, params) in pages.items()}


def outcome_filters(clinic: Clinic) -> dict[str, dict]:
    """The outcomes page's filters, one at a time, as the director would try them."""
    protocol = TreatmentPlanVersion.objects.order_by("pk").first().protocol
    today = timezone.localdate()
    return {
        "outcomes, no filter": {},
        "outcomes, last 90 days": {
            "date_from": (today - timedelta(days=90)).isoformat(),
            "date_to": today.isoformat(),
        },
        "outcomes, location": {"location": clinic.location.pk},
        "outcomes, condition": {"condition": protocol.indication},
        "outcomes, route": {"route": protocol.route},
        "outcomes, protocol": {"protocol": protocol.pk},
    }


def measure_outcomes(client: Client, filters: dict[str, dict]) -> dict[str, float]:
    times: dict[str, float] = {}
    for name, params in filters.items():
        client.get("/outcomes/", params)
        samples = []
        for _ in range(OUTCOME_REQUESTS):
            start = time.perf_counter()
            response = client.get("/outcomes/", params)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        times[name] = statistics.median(samples)
    return times


def run() -> int:
    clinic = Clinic()
    grower = Grower(clinic)
    grower.grow_to(SMALL_PATIENTS)
    # A patient with a chart worth opening, and a session in progress with 40 readings.
    device, _token = issue_device_token(
        actor=clinic.director, name="Scale monitor", location=clinic.location
    )
    dosed_at = timezone.now() - timedelta(hours=2)
    session = clinic.dosed_session(0, dosed_at=dosed_at)
    session_services.ingest_device_readings(
        device=device,
        session_public_id=session.public_id,
        readings=[
            session_services.DeviceReading(
                reading_id=f"scale-{n}",
                taken_at=dosed_at + timedelta(minutes=2 * (n + 1)),
                values=reading_values(n),
            )
            for n in range(39)
        ],
    )
    chart_patient = Patient.objects.filter(mrn__startswith="SC-").order_by("pk")[
        SMALL_PATIENTS // 2
    ]
    staff = clinic.client_for(clinic.clinician)
    director = clinic.client_for(clinic.director)
    nurse = clinic.client_for(clinic.nurse)
    pages = {
        "patient chart": (staff, f"/patients/{chart_patient.public_id}/", {}),
        "clinical dashboard": (staff, "/dashboard/", {}),
        "patient search by name": (staff, "/patients/", {"q": chart_patient.legal_last_name}),
        "patient search by MRN": (staff, "/patients/", {"q": chart_patient.mrn}),
        "live region (40 readings)": (
            nurse,
            reverse("sessions:live", args=[session.public_id]),
            {},
        ),
        "audit log, first page": (director, "/audit/", {}),
    }
    small = measure(clinic, pages)
    filters = outcome_filters(clinic)
    small_outcomes = measure_outcomes(director, filters)
    users = {
        staff: clinic.clinician.email,
        director: clinic.director.email,
        nurse: clinic.nurse.email,
    }
    served = {**pages, "outcomes": (director, "/outcomes/", {})}
    small_memory = worker_memory_mib(served, users)
    seconds = grower.grow_to(LARGE_PATIENTS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    large = measure(clinic, pages)
    large_outcomes = measure_outcomes(director, filters)
    large_memory = worker_memory_mib(served, users)

    print(
        f"\nKetamine Clinic at scale: {connection.vendor}; grew from {SMALL_PATIENTS:,} to "
        f"{LARGE_PATIENTS:,} patients ({LARGE_PATIENTS * RESPONSES_PER_PATIENT:,} responses, "
        f"{LARGE_PATIENTS * VITALS_PER_PATIENT:,} vital-sign sets, "
        f"{LARGE_PATIENTS * AUDIT_ROWS_PER_PATIENT:,} audit rows) in {seconds:.0f} s\n"
    )
    header = f"{'page (median of ' + str(REQUESTS_PER_PAGE) + ')':<32} {'small ms':>9} {'large ms':>9} {'growth':>7}  result"
    print(header)
    print("-" * len(header))
    missed = 0
    for name in pages:
        growth = large[name] / small[name] if small[name] else float("inf")
        ok = growth <= TARGET_GROWTH
        missed += not ok
        result = "met" if ok else f"MISSED: {growth:.2f}× > {TARGET_GROWTH}×"
        print(f"{name:<32} {small[name]:>9.1f} {large[name]:>9.1f} {growth:>6.2f}×  {result}")
    sessions = TreatmentSession.objects.filter(dosed_at__isnull=False).count()
    print(
        f"\nThe outcomes page (every figure, median of {OUTCOME_REQUESTS}) over "
        f"{sessions:,} dosed sessions at the large size; target ≤ {OUTCOMES_TARGET_MS} ms each"
    )
    header = f"{'filter':<32} {'small ms':>9} {'large ms':>9}  result"
    print(header)
    print("-" * len(header))
    for name in filters:
        ok = large_outcomes[name] <= OUTCOMES_TARGET_MS
        missed += not ok
        result = "met" if ok else f"MISSED: > {OUTCOMES_TARGET_MS} ms"
        print(f"{name:<32} {small_outcomes[name]:>9.1f} {large_outcomes[name]:>9.1f}  {result}")
    memory_ok = large_memory <= MEMORY_TARGET_MIB
    missed += not memory_ok
    print(
        f"\nmemory of a fresh worker after every page: {small_memory:.0f} MiB small, "
        f"{large_memory:.0f} MiB large "
        f"(target ≤ {MEMORY_TARGET_MIB} MiB: {'met' if memory_ok else 'MISSED'})\n"
    )
    return missed


def main() -> int:
    logging.disable(logging.INFO)  # the task queue's log lines; the figures are the output here
    setup_test_environment()
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = "/tmp/ketamine-clinic-bench-scale.sqlite3"
    # BENCH_SCALE_KEEP=1 leaves the grown database in place (test_<name>) to profile a page
    # against afterwards; it is dropped at the start of the next run all the same.
    keep = os.environ.get("BENCH_SCALE_KEEP") == "1"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        with override_settings(ROOT_URLCONF="bench.urls"):
            missed = run()
    finally:
        if not keep:
            teardown_databases(old_config, verbosity=0)
    return 1 if missed and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
