"""The session record's sealed rows (clinic.core.guards): once both signatures lock a session,
the session, every entry under it and the vital signs it holds refuse change, and no new entry
may be added under it (corrections are signed addenda)."""

from clinic.core.guards import RowGuard, register_row_guard

LOCKED = "this session record is signed and locked: add an addendum instead"
SESSION_LOCKED = (
    "(SELECT locked_at FROM treatment_sessions_treatmentsession WHERE id = {row}.session_id) "
    "IS NOT NULL"
)
ENTRY_TABLES = (
    "gateoverride",
    "sessionreading",
    "monitoringalert",
    "infusionevent",
    "sideeffect",
    "medicationadministration",
    "dissociationrating",
)


def register() -> None:
    register_row_guard(
        RowGuard(
            name="session_locked",
            table="treatment_sessions_treatmentsession",
            sealed_when="OLD.locked_at IS NOT NULL",
            message=LOCKED,
        )
    )
    for model in ENTRY_TABLES:
        register_row_guard(
            RowGuard(
                name=f"session_{model}",
                table=f"treatment_sessions_{model}",
                sealed_when=SESSION_LOCKED.format(row="OLD"),
                refuse_insert_when=SESSION_LOCKED.format(row="NEW"),
                message=LOCKED,
            )
        )
    # A signature covers the content as it was: it is never edited or removed.
    register_row_guard(
        RowGuard(
            name="session_signature",
            table="treatment_sessions_sessionsignature",
            refuse_insert_when=SESSION_LOCKED.format(row="NEW"),
            message=LOCKED,
        )
    )
    register_row_guard(
        RowGuard(
            name="session_addendum", table="treatment_sessions_sessionaddendum", message=LOCKED
        )
    )
    # A recorded REMS form submission is what the clinic told the REMS: kept as it was.
    register_row_guard(
        RowGuard(
            name="session_rems_submission",
            table="treatment_sessions_remsformsubmission",
            message="a REMS form submission is kept as recorded: record a corrected one",
        )
    )
    register_row_guard(
        RowGuard(
            name="session_vitals_locked",
            table="patients_vitalsigns",
            sealed_when=(
                "EXISTS (SELECT 1 FROM treatment_sessions_sessionreading r "
                "JOIN treatment_sessions_treatmentsession s ON s.id = r.session_id "
                "WHERE r.vital_signs_id = OLD.id AND s.locked_at IS NOT NULL)"
            ),
            message=LOCKED,
        )
    )
