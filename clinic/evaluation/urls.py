from django.urls import path

from clinic.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("patients/<uuid:patient_public_id>/evaluation/start/", views.start, name="start"),
    path(
        "patients/<uuid:patient_public_id>/evaluation/<uuid:public_id>/",
        views.detail,
        name="detail",
    ),
    path(
        "patients/<uuid:patient_public_id>/consent/<int:document_id>/tablet/",
        views.sign_on_tablet,
        name="sign_on_tablet",
    ),
    path("patients/<uuid:patient_public_id>/medicines/", views.medicines, name="medicines"),
    path("portal/consent/", views.my_consent, name="my_consent"),
    path("portal/consent/<int:document_id>/", views.sign_in_portal, name="sign_in_portal"),
    path("consent/signed/<uuid:public_id>/pdf/", views.consent_pdf, name="consent_pdf"),
    path("portal/learn/", views.my_education, name="my_education"),
    path("portal/learn/<slug:code>/", views.my_education_page, name="my_education_page"),
]
