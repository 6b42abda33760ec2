"""Background work of the assessments app (django-tasks; the database backend's worker runs it)."""

from __future__ import annotations

from django_tasks import task

from clinic.assessments.summaries import refresh_every_patients_requirements


@task()
def refresh_requirements_after_assignment_change() -> int:
    """The medical director changed which questionnaires a condition calls for: every patient's
    due questionnaires follow, in batches, after the change is saved (not inside the request)."""
    return refresh_every_patients_requirements()
