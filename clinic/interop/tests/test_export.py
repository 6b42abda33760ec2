"""`manage.py export_fhir`: NDJSON per resource type, every line a valid FHIR R4 resource, the
counts printed at the end; `--since` keeps only what changed; and a property test: any patient
the factories can make exports to valid resources."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.choices import Condition
from clinic.core.exceptions import ClinicError
from clinic.interop import mapping
from clinic.interop.tests.factories import full_record
from clinic.patients.services import create_vital_signs
from clinic.patients.tests.factories import register_test_patient

pytestmark = pytest.mark.django_db


def read_export(out: Path) -> dict[str, list[dict]]:
    found = {}
    for path in sorted(out.glob("*.ndjson")):
        lines = path.read_text(encoding="utf-8").splitlines()
        found[path.stem] = [json.loads(line) for line in lines]
    return found


def export(out: Path, **options) -> str:
    stdout = io.StringIO()
    call_command("export_fhir", out=str(out), no_progress=True, stdout=stdout, **options)
    return stdout.getvalue()


def test_the_clinic_exports_as_valid_ndjson_with_counts(
    tmp_path, clinician, nurse, patient_alice, patient_bob
):
    full_record(clinician, nurse, patient_alice)
    printed = export(tmp_path)
    exported = read_export(tmp_path)
    for name, resources in exported.items():
        assert resources, f"{name}.ndjson is empty (files without resources are left out)"
        for resource in resources:
            assert resource["resourceType"] == name
            mapping.validated(resource)
    assert {p["id"] for p in exported["Patient"]} == {
        str(patient_alice.public_id),
        str(patient_bob.public_id),
    }
    assert len(exported["Encounter"]) == 1
    for name, resources in exported.items():
        assert f"{name}  " in printed and f"{len(resources):,}" in printed
    assert "Total  " in printed
    assert AuditEvent.objects.filter(event_type=AuditEventType.FHIR_EXPORTED).count() == 1


def test_since_keeps_only_what_changed_since(tmp_path, clinician, patient_alice):
    export(tmp_path, since=(timezone.localdate() + timedelta(days=1)).isoformat())
    exported = read_export(tmp_path)
    # The clinic's questionnaires are always included; no patient changed tomorrow.
    assert set(exported) == {"Questionnaire"}


def test_a_malformed_since_is_refused_with_a_message(tmp_path):
    with pytest.raises(CommandError, match="not a date"):
        export(tmp_path, since="last week")


patients = st.fixed_dictionaries(
    {
        "sex": st.sampled_from(["female", "male", "other", "unknown"]),
        "date_of_birth": st.dates(min_value=date(1930, 1, 1), max_value=date(2006, 1, 1)),
        "primary_conditions": st.lists(
            st.sampled_from(Condition.values), min_size=0, max_size=3, unique=True
        ),
        "preferred_name": st.sampled_from(["", "Sam", "Jo"]),
        "email": st.sampled_from(["", "someone@example.com"]),
        "height_cm": st.none()
        | st.decimals(min_value=Decimal("50.0"), max_value=Decimal("250.0"), places=1),
        "weight_kg": st.none()
        | st.decimals(min_value=Decimal("20.0"), max_value=Decimal("350.0"), places=1),
        "city": st.sampled_from(["", "Boston"]),
    }
)
vitals = st.fixed_dictionaries(
    {},
    optional={
        "systolic_mmhg": st.integers(60, 250),
        "diastolic_mmhg": st.integers(30, 150),
        "heart_rate_bpm": st.integers(30, 200),
        "respiratory_rate_per_min": st.integers(4, 60),
        "spo2_pct": st.integers(50, 100),
        "temperature_c": st.decimals(
            min_value=Decimal("34.0"), max_value=Decimal("42.0"), places=1
        ),
    },
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(details=patients, readings=st.lists(vitals, max_size=3))
def test_any_patient_the_factories_make_exports_to_valid_resources(
    tmp_path_factory, clinician, location, details, readings
):
    if "other" in details["primary_conditions"]:
        details["other_condition"] = "Migraine"
    patient = register_test_patient(actor=clinician, location=location, **details)
    for values in readings:
        if not values:
            continue
        try:
            with transaction.atomic():
                create_vital_signs(
                    actor=clinician,
                    patient=patient,
                    context="other",
                    values=values,
                    taken_at=timezone.now(),
                )
        except (ClinicError, ValidationError):
            # A combination the record refuses (e.g. diastolic above systolic): not a record.
            continue
    out = tmp_path_factory.mktemp("export")
    export(out)
    exported = read_export(out)
    mine = [r for rs in exported.values() for r in rs if str(patient.public_id) in json.dumps(r)]
    assert Counter(r["resourceType"] for r in mine)["Patient"] == 1
    for resource in mine:
        mapping.validated(resource)
