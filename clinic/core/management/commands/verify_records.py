"""`manage.py verify_records`: check every signed record against its signature and walk the audit
chain. Exits 0 when everything matches, 1 when anything does not (for cron or a monitoring
probe), and prints what it found: counts, each mismatch, and the chain's head (position and seal,
worth writing down outside the database: a copy kept elsewhere shows whether rows were later cut
from the end).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic.audit.chain import verify_chain
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.integrity import registered_seal_checks


class Command(BaseCommand):
    help = "Check every signed record against its signature and the audit trail's chain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-problems",
            type=int,
            default=100,
            help="Stop listing after this many problems of one kind (default 100).",
        )

    def handle(self, *args, max_problems: int = 100, **options):
        counts: dict[str, int] = {}
        mismatched: list[str] = []
        for check in registered_seal_checks():
            checked = 0
            for record in check.records().iterator(chunk_size=500):
                checked += 1
                for problem in check.problems(record):
                    if len(mismatched) < max_problems:
                        mismatched.append(f"{check.name} {record.pk}: {problem}")
                    else:
                        break
            counts[check.name] = checked
            self.stdout.write(f"{check.name}: {checked} checked")
        chain = verify_chain(max_problems=max_problems)
        self.stdout.write(
            f"audit chain: {chain.rows_checked} rows, head #{chain.head_position} "
            f"{chain.head_sha256}"
        )
        problems = mismatched + [str(problem) for problem in chain.problems]
        for problem in problems:
            self.stderr.write(f"MISMATCH {problem}")
        with transaction.atomic(durable=True):
            record_audit_event(
                actor=None,
                actor_label="manage.py verify_records",
                event_type=AuditEventType.RECORDS_VERIFIED,
                outcome=AuditOutcome.FAILED if problems else AuditOutcome.SUCCESS,
                details={
                    "checked": counts,
                    "audit_rows": chain.rows_checked,
                    "problems": len(problems),
                    "first_problems": problems[:10],
                },
            )
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s): signed records or the audit trail were changed."
            )
        self.stdout.write(self.style.SUCCESS("Every signed record and the audit chain match."))
