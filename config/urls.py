from django.urls import include, path

from clinic.api import api
from clinic.core.admin_site import clinic_admin_site
from clinic.interop.urls import fhir_urlpatterns

urlpatterns = [
    path("", include("clinic.intake.urls")),
    path("accounts/", include("clinic.accounts.urls")),
    path("patients/", include("clinic.patients.urls")),
    path("audit/", include("clinic.audit.urls")),
    path("", include("clinic.assessments.urls")),
    path("", include("clinic.evaluation.urls")),
    path("", include("clinic.treatment.urls")),
    path("", include("clinic.scheduling.urls")),
    path("", include("clinic.sessions.urls")),
    path("", include("clinic.letters.urls")),
    path("", include("clinic.outcomes.urls")),
    path("", include("clinic.reviews.urls")),
    path("inventory/", include("clinic.inventory.urls")),
    path("", include("clinic.messaging.urls")),
    path("dashboard/", include("clinic.dashboard.urls")),
    path("", include("clinic.interop.urls")),
    path("", include("clinic.configuration.urls")),
    path("fhir/", include((fhir_urlpatterns, "fhir"))),
    path("documents/", include("clinic.core.urls")),
    path("api/v1/", api.urls),
    path("admin/", clinic_admin_site.urls),
]

handler400 = "clinic.core.views.bad_request"
handler403 = "clinic.core.views.permission_denied"
handler404 = "clinic.core.views.page_not_found"
handler500 = "clinic.core.views.server_error"
