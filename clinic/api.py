"""The JSON API (Django Ninja); each app contributes a router. OpenAPI schema at /api/v1/openapi.json,
interactive docs at /api/v1/docs."""

from django.core.exceptions import ValidationError
from ninja import NinjaAPI
from ninja.security import SessionAuth

from clinic.assessments.api import router as assessments_router
from clinic.core.exceptions import ClinicError
from clinic.patients.api import router as patients_router
from clinic.sessions.api import router as sessions_router

api = NinjaAPI(
    title="Ketamine Clinic API",
    version="1",
    description="Patient records for clinic staff and devices. Every call is scoped and audited.",
    auth=SessionAuth(),
    urls_namespace="api",
)


@api.exception_handler(ClinicError)
def clinic_error(request, exc: ClinicError):
    return api.create_response(
        request, {"detail": exc.message, "field": exc.field}, status=exc.status_code
    )


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
