"""`make bench` (its FHIR part, `python -m bench.fhir`): the bulk FHIR export at 1,000 and at
10,000 patients. Prints resources a second and the peak memory the export itself allocated
(Python's tracemalloc, in a second run of the same export), which should stay flat as the clinic
grows (target: the peak at 10,000 patients at most 1.5× the peak at 1,000): the export streams
patients in chunks with their records prefetched, and writes each resource as it is made.

The clinic is grown by bulk inserts (bench.scale's Grower: 10 PHQ-9 responses and 5 vital-sign
sets a patient), plus a few dosed sessions made through the services. BENCH_FHIR_SIZES sets the
sizes ("1000,10000"); BENCH_STRICT=1 makes a missed target exit 1."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.db import connection
from django.test.utils import setup_databases, setup_test_environment, teardown_databases

from bench.clinic import Clinic
from bench.scale import Grower
from clinic.interop.export import export_clinic

SIZES = [int(n) for n in os.environ.get("BENCH_FHIR_SIZES", "1000,10000").split(",")]
DOSED_SESSIONS = 5
FLAT_TARGET = 1.5


def export_once(out: Path, *, traced: bool) -> tuple[int, float, float]:
    """(resources written, seconds, peak MiB allocated by the export when traced)."""
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    counts = export_clinic(out)
    seconds = time.perf_counter() - start
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return sum(counts.values()), seconds, peak


def run() -> list[tuple[int, int, float, float]]:
    clinic = Clinic()
    for index in range(DOSED_SESSIONS):
        clinic.dosed_session(index)
    grower = Grower(clinic)
    rows = []
    for size in SIZES:
        grower.grow_to(size)
        with tempfile.TemporaryDirectory() as out:
            resources, seconds, _ = export_once(Path(out), traced=False)
        with tempfile.TemporaryDirectory() as out:
            _, _, peak = export_once(Path(out), traced=True)
        rows.append((size, resources, resources / seconds, peak))
        print(
            f"  {size:>7,} patients: {resources:>9,} resources in {seconds:6.1f} s "
            f"({resources / seconds:>8,.0f}/s), export's peak memory {peak:6.1f} MiB",
            flush=True,
        )
    return rows


def main() -> int:
    logging.disable(logging.INFO)
    setup_test_environment()
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = (
            f"/tmp/ketamine-clinic-bench-fhir-{os.getpid()}.sqlite3"
        )
    old_config = setup_databases(verbosity=0, interactive=False)
    print(f"\nFHIR bulk export ({connection.vendor})")
    try:
        rows = run()
    finally:
        teardown_databases(old_config, verbosity=0)
    growth = rows[-1][3] / rows[0][3] if len(rows) > 1 and rows[0][3] else 1.0
    met = growth <= FLAT_TARGET
    print(
        f"  peak memory at {rows[-1][0]:,} vs {rows[0][0]:,} patients: {growth:.2f}× "
        f"(target ≤ {FLAT_TARGET}×) {'met' if met else 'MISSED'}\n"
    )
    return 1 if not met and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
