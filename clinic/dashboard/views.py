from django.shortcuts import render

from clinic.accounts.choices import STAFF_ROLES
from clinic.assessments.selectors import clinical_dashboard
from clinic.core.permissions import role_required
from clinic.intake.selectors import dashboard_summary


@role_required(*STAFF_ROLES)
def dashboard(request):
    """The staff start page: the consultation queue and patients for everyone; safety alerts, due
    questionnaires and worsening scores for clinical roles."""
    context = {
        "alerts": None,
        **dashboard_summary(request.user),
        **clinical_dashboard(request.user),
    }
    return render(request, "dashboard/dashboard.html", context)
