"""Rows are locked only through the named helpers in each app's `locks.py`.

A helper says what it locks and keeps one order (primary key, or the order its module states),
so two transactions never wait on each other in a circle. A `select_for_update(` anywhere else
would be a lock no one has checked against the others.
"""

from __future__ import annotations

from pathlib import Path

import clinic

CLINIC = Path(clinic.__file__).parent


def test_select_for_update_is_called_only_in_locks_modules():
    outside = [
        f"{path.relative_to(CLINIC.parent)}:{number}"
        for path in sorted(CLINIC.rglob("*.py"))
        if path.name != "locks.py" and "tests" not in path.relative_to(CLINIC).parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "select_for_update(" in line
    ]
    assert outside == [], "Lock rows through a named helper in the app's locks.py: " + ", ".join(
        outside
    )
