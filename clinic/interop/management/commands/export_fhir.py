"""`manage.py export_fhir --out DIR [--since DATE]`: the whole clinic as FHIR R4 Bulk Data
(NDJSON, one file per resource type), with a progress bar and the count per type at the end."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from clinic.core.routing import reporting_reads
from clinic.interop.export import export_clinic
from clinic.patients.models import Patient


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            return timezone.make_aware(datetime.combine(date.fromisoformat(text), time.min))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--since “{text}” is not a date (YYYY-MM-DD) or a date and time (ISO 8601)."
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Export the whole clinic as FHIR R4 NDJSON (one file per resource type)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Directory for the .ndjson files.")
        parser.add_argument(
            "--since",
            help="Only what was recorded or changed since this date (YYYY-MM-DD, in the "
            "server's time zone) or date and time.",
        )
        parser.add_argument(
            "--validate",
            action="store_true",
            help="Check each resource against the FHIR R4 models while writing (slower).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, out: str, since=None, validate=False, no_progress=False, **options):
        since_at = _since(since)
        out_dir = Path(out)
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(f"--out {out} is a file, not a directory.")
        # The export only reads (and audits itself): a replica may serve it.
        with (
            reporting_reads(),
            tqdm(
                total=Patient.objects.count(),
                unit="patient",
                desc="Exporting",
                disable=no_progress,
                file=self.stderr._out,
            ) as bar,
        ):
            counts = export_clinic(out_dir, since=since_at, validate=validate, progress=bar.update)
        width = max(len(name) for name in counts) if counts else 0
        for name, count in counts.items():
            self.stdout.write(f"{name:<{width}}  {count:>9,}  {out_dir / (name + '.ndjson')}")
        self.stdout.write(f"{'Total':<{width}}  {sum(counts.values()):>9,}")
