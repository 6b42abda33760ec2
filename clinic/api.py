"""The JSON API (Django Ninja); each app contributes a router. OpenAPI schema at /api/v1/openapi.json,
interactive docs at /api/v1/docs."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import SessionAuth

from clinic.assessments.api import router as assessments_router
from clinic.audit.middleware import note_refusal_reason
from clinic.core.exceptions import ClinicError
from clinic.patients.api import router as patients_router
from clinic.sessions.api import router as sessions_router


def staff_only_in_production(view):
    """The schema and the interactive docs map every endpoint and field of the patient record. In
    production only signed-in staff get them: a visitor is sent to sign in, a patient gets a 404.
    In development and tests they stay open (the settings are read per request, so tests can
    switch IS_PRODUCTION on)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if settings.IS_PRODUCTION:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_clinic_staff:
                raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return guarded


api = NinjaAPI(
    title="Ketamine Clinic API",
    version="1",
    description="Patient records for clinic staff and devices. Every call is scoped and audited.",
    auth=SessionAuth(),
    urls_namespace="api",
    docs_decorator=staff_only_in_production,
)


@api.exception_handler(ClinicError)
def clinic_error(request, exc: ClinicError):
    # A 403/404 here is audited by the refusal middleware (unless the service audited it); it
    # records this reason.
    note_refusal_reason(request, exc.message)
    return api.create_response(
        request, {"detail": exc.message, "field": exc.field}, status=exc.status_code
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    note_refusal_reason(request, str(exc))
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return api.create_response(
        request,
        {"detail": exc.message_dict if hasattr(exc, "error_dict") else exc.messages},
        status=400,
    )


api.add_router("/patients", patients_router)
api.add_router("/", assessments_router)
api.add_router("/", sessions_router)
