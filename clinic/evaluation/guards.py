"""The evaluation app's sealed rows (clinic.core.guards): what a signature or a publication
freezes in the database itself."""

from clinic.core.guards import RowGuard, register_row_guard

SIGNED = "this record is signed and cannot be changed: add a signed addendum instead"
PUBLISHED = "a published version cannot be changed: write a new draft instead"


def register() -> None:
    # A signed evaluation keeps every field; only its status may move on (completed → amended
    # when an addendum is signed, or entered-in-error).
    register_row_guard(
        RowGuard(
            name="evaluation_signed",
            table="evaluation_evaluation",
            sealed_when="OLD.status <> 'in-progress'",
            mutable_columns=("status", "updated_at"),
            message=SIGNED,
        )
    )
    register_row_guard(
        RowGuard(name="evaluation_addendum", table="evaluation_evaluationaddendum", message=SIGNED)
    )
    # The baseline vital signs a signed evaluation covers.
    register_row_guard(
        RowGuard(
            name="evaluation_baseline_vitals",
            table="patients_vitalsigns",
            sealed_when=(
                "EXISTS (SELECT 1 FROM evaluation_evaluation e WHERE e.baseline_vitals_id = OLD.id "
                "AND e.status <> 'in-progress')"
            ),
            message=SIGNED,
        )
    )
    # The allergies a signed evaluation lists: none changed, removed or added after signing.
    evaluation_signed = (
        "(SELECT status FROM evaluation_evaluation WHERE id = {row}.evaluation_id) <> 'in-progress'"
    )
    register_row_guard(
        RowGuard(
            name="evaluation_allergy",
            table="evaluation_allergy",
            sealed_when=evaluation_signed.format(row="OLD"),
            refuse_insert_when=evaluation_signed.format(row="NEW"),
            message=SIGNED,
        )
    )
    # A patient's consent signature never changes; it may only be withdrawn.
    register_row_guard(
        RowGuard(
            name="consent_signature",
            table="evaluation_consentsignature",
            mutable_columns=("withdrawn_at",),
            message="a consent signature cannot be changed; it may only be withdrawn",
        )
    )
    # Published consent texts and screening rules: patients signed, and decisions were made,
    # against exactly this wording.
    for name, table in (
        ("consent_document_published", "evaluation_consentdocument"),
        ("rule_set_published", "evaluation_contraindicationruleset"),
    ):
        register_row_guard(
            RowGuard(
                name=name,
                table=table,
                sealed_when="OLD.status <> 'draft'",
                mutable_columns=("status", "updated_at"),
                message=PUBLISHED,
            )
        )
    parent_published = (
        "(SELECT status FROM evaluation_contraindicationruleset WHERE id = {row}.rule_set_id) "
        "<> 'draft'"
    )
    register_row_guard(
        RowGuard(
            name="rule_published",
            table="evaluation_contraindicationrule",
            sealed_when=parent_published.format(row="OLD"),
            refuse_insert_when=parent_published.format(row="NEW"),
            message=PUBLISHED,
        )
    )
