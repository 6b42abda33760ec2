"""The whole clinic as FHIR Bulk Data: one NDJSON file per resource type (one resource a line),
as the FHIR Bulk Data Access IG's export writes (hl7.org/fhir/uv/bulkdata, "Output File
Format"). Patients are read in chunks with their whole record prefetched (`.iterator()`), and
each resource is written as soon as it is made, so memory stays flat however large the clinic."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.interop import mapping, selectors
from clinic.patients.models import Patient

CHUNK_PATIENTS = 200


def export_clinic(
    out_dir: Path,
    *,
    since: datetime | None = None,
    validate: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Counter:
    """Write `<Type>.ndjson` files into `out_dir` (created if missing); return the count per
    type. `validate` checks each resource with the R4B models as it goes (slower). `progress` is
    called with the number of patients done since its last call."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: Counter = Counter()
    files = {
        name: (out_dir / f"{name}.ndjson").open("w", encoding="utf-8")
        for name in selectors.RESOURCE_TYPES
    }
    try:

        def write(resource: dict) -> None:
            if validate:
                mapping.validated(resource)
            files[resource["resourceType"]].write(mapping.dumps(resource, compact_separators=True))
            files[resource["resourceType"]].write("\n")
            counts[resource["resourceType"]] += 1

        for questionnaire in selectors.all_questionnaires():
            write(questionnaire)
        patients = selectors.with_record(Patient.objects.order_by("pk"), since=since)
        for done, patient in enumerate(patients.iterator(chunk_size=CHUNK_PATIENTS), start=1):
            for resource in selectors.resources_for(patient, since=since):
                write(resource)
            if progress is not None:
                progress(1)
            if done % CHUNK_PATIENTS == 0:
                # A chunk's rows refer to each other both ways (a patient to its readings and
                # each reading back to its patient): cycles only the collector frees. Freed
                # chunk by chunk, memory stays that of one chunk.
                gc.collect()
    finally:
        for handle in files.values():
            handle.close()
    # The Bulk Data IG lists only the files that hold resources.
    for name in selectors.RESOURCE_TYPES:
        if not counts[name]:
            (out_dir / f"{name}.ndjson").unlink(missing_ok=True)
    record_audit_event(
        actor=None,
        actor_label="manage.py export_fhir",
        event_type=AuditEventType.FHIR_EXPORTED,
        details={
            "out": str(out_dir)[:200],
            "since": since.isoformat() if since else None,
            "resources": dict(counts),
            "at": timezone.now().isoformat(),
        },
    )
    return Counter({name: counts[name] for name in selectors.RESOURCE_TYPES if counts[name]})
