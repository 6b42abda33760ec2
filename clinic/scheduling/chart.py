"""The chart's "Appointments" section: what is booked, and the plan's series to book."""

from clinic.patients.chart import ChartSection, register_chart_section
from clinic.patients.portal import PortalPanel, register_portal_panel
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


def _next_appointment_panel(patient):
    """The patient's next appointment, first on their portal page."""
    upcoming = selectors.upcoming_for_patient(patient, limit=1)
    return {"appointment": upcoming[0] if upcoming else None}


register_portal_panel(
    PortalPanel("next_appointment", 0, "scheduling/portal_next.html", _next_appointment_panel)
)
