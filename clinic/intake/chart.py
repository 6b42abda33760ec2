"""The chart section showing how the patient first reached the clinic."""

from clinic.accounts.choices import Role
from clinic.intake.models import ConsultationRequest
from clinic.patients.chart import ChartSection, register_chart_section


def _consultation_context(viewer, patient):
    request = (
        ConsultationRequest.objects.filter(patient=patient)
        .select_related("location", "assigned_to")
        .first()
    )
    activities = list(request.activities.select_related("author")) if request else []
    return {"consultation": request, "activities": activities}


register_chart_section(
    ChartSection(
        "consultation",
        "First contact",
        "intake/chart_section.html",
        100,
        frozenset({Role.MEDICAL_DIRECTOR, Role.CLINICIAN, Role.NURSE, Role.FRONT_DESK}),
        _consultation_context,
    )
)
