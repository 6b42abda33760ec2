from django.shortcuts import render
from django.utils import timezone

from clinic.accounts.choices import STAFF_ROLES
from clinic.assessments.permissions import can_resolve_safety_alerts, can_view_results
from clinic.assessments.selectors import (
    CONTACT_PANEL_LIMIT,
    alerts_to_contact,
    clinical_dashboard,
    start_urgent_alert_watch,
)
from clinic.core.permissions import role_required
from clinic.core.routing import reporting_reads
from clinic.intake.selectors import dashboard_summary
from clinic.inventory.dashboard import register_panel
from clinic.sessions.rems_form import overdue_forms
from clinic.sessions.selectors import stop_level_alerts


@role_required(*STAFF_ROLES)
@reporting_reads()
def dashboard(request):
    """The staff start page: the consultation queue and patients for everyone; safety alerts, due
    questionnaires and worsening scores for clinical roles; the open safety alerts as patients to
    call for the front desk; chair-side stop-level alerts for prescribers; the
    controlled-substance register's open discrepancies, expiring stock and safes due a count for
    those who may read the register; esketamine REMS forms overdue for the medical director."""
    context = {
        "alerts": None,
        **dashboard_summary(request.user),
        **clinical_dashboard(request.user),
        # A nurse opens an alert to record calls to the patient; a prescriber to resolve it.
        "can_resolve_alerts": can_resolve_safety_alerts(request.user),
        # The front desk sees the open alerts as patients to call (no reason or score); clinical
        # roles have the full list above.
        "to_contact": None
        if can_view_results(request.user)
        else alerts_to_contact(request.user, limit=CONTACT_PANEL_LIMIT, part="dashboard"),
        # A new urgent alert is announced without a reload (polled).
        "urgent_watch": start_urgent_alert_watch(request.user),
        # A prescriber is told at once of a chair-side stop-level alert waiting for them.
        "session_alerts": stop_level_alerts(request.user),
        "register": register_panel(request.user),
        # The medical director sees each esketamine session whose REMS form is overdue.
        "rems_overdue": overdue_forms(request.user),
        "now": timezone.now(),
    }
    return render(request, "dashboard/dashboard.html", context)
