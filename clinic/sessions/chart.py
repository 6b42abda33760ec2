"""The chart's "Sessions" section: every treatment session of the patient, newest first."""

from clinic.accounts.choices import CLINICAL_ROLES
from clinic.patients.chart import ChartSection, register_chart_section
from clinic.sessions.models import TreatmentSession


def _sessions_context(viewer, patient):
    return {
        "sessions": list(
            TreatmentSession.objects.filter(patient=patient)
            .select_related("appointment", "dose_verified_by")
            .order_by("-created_at")[:50]
        )
    }


register_chart_section(
    ChartSection(
        "sessions",
        "Sessions",
        "sessions/chart_section.html",
        35,
        frozenset(CLINICAL_ROLES),
        _sessions_context,
    )
)
