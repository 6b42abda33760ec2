"""The chart's "Appointments" section: what is booked, and the plan's series to book."""

from clinic.patients.chart import ChartSection, register_chart_section
from clinic.scheduling import selectors
from clinic.scheduling.permissions import APPOINTMENT_VIEWERS


def _appointments_context(viewer, patient):
    return {"appointments": selectors.upcoming_for_patient(patient)}


register_chart_section(
    ChartSection(
        "appointments",
        "Appointments",
        "scheduling/chart_section.html",
        40,
        APPOINTMENT_VIEWERS,
        _appointments_context,
    )
)
