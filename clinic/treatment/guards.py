"""The treatment app's sealed rows (clinic.core.guards)."""

from clinic.core.guards import RowGuard, register_row_guard


def register() -> None:
    # A signed plan version is never edited: a change is a new signed version with its reason.
    register_row_guard(
        RowGuard(
            name="plan_version_signed",
            table="treatment_treatmentplanversion",
            message="a signed plan version cannot be changed: sign a new version instead",
        )
    )
