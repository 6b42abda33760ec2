"""The register's sealed rows (clinic.core.guards): the ledger and the records its entries belong
to are append-only, in the database itself, as the audit trail is. A controlled-substance record
must stay as it was made (21 CFR 1304.21(a): complete and accurate; 1304.04(a): kept two years):
a wrong entry is corrected by a reversing entry, never edited or removed."""

from clinic.core.guards import RowGuard, register_row_guard

APPEND_ONLY = (
    "the controlled-substance ledger is append-only: correct an entry with a reversing entry"
)
RESOLVED = "a resolved discrepancy cannot be changed"

# Tables whose rows never change once written.
APPEND_ONLY_TABLES = (
    "movement",
    "receipt",
    "destruction",
    "supplierreturn",
    "count",
    "countline",
    "lot",
    "container",
)
# A discrepancy's facts (which count line, how much) never change; only its resolution is written
# later, once.
DISCREPANCY_RESOLUTION = (
    "status",
    "outcome",
    "explanation",
    "reportable",
    "resolved_by_id",
    "resolved_at",
)


def register() -> None:
    for model in APPEND_ONLY_TABLES:
        register_row_guard(
            RowGuard(name=f"inventory_{model}", table=f"inventory_{model}", message=APPEND_ONLY)
        )
    register_row_guard(
        RowGuard(
            name="inventory_discrepancy_facts",
            table="inventory_discrepancy",
            mutable_columns=DISCREPANCY_RESOLUTION,
            message=APPEND_ONLY,
        )
    )
    register_row_guard(
        RowGuard(
            name="inventory_discrepancy_resolved",
            table="inventory_discrepancy",
            sealed_when="OLD.resolved_at IS NOT NULL",
            message=RESOLVED,
        )
    )
