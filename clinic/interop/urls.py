from django.urls import path, re_path

from clinic.interop import views

app_name = "interop"

urlpatterns = [
    path("interop/tokens/", views.tokens, name="tokens"),
    path("interop/tokens/<uuid:public_id>/revoke/", views.revoke_token, name="revoke_token"),
]

# Mounted at /fhir/ (config/urls.py).
fhir_urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("Patient/<str:public_id>/$everything", views.patient_everything, name="everything"),
    path("Patient/<str:public_id>", views.patient_read, name="patient"),
    path("Observation", views.observation_search, name="observations"),
    path(
        "QuestionnaireResponse",
        views.questionnaire_response_search,
        name="questionnaire_responses",
    ),
    # Anything else under /fhir/ is a FHIR 404 (an OperationOutcome), after the token check.
    re_path(r"^.*$", views.unknown, name="unknown"),
]
