from django.urls import path

from clinic.treatment import views

app_name = "treatment"
urlpatterns = [
    path("patients/<uuid:patient_public_id>/plan/", views.write_plan, name="write"),
    path(
        "patients/<uuid:patient_public_id>/rems-enrolment/",
        views.rems_enrolment,
        name="rems_enrolment",
    ),
    path("rems/settings/", views.rems_settings, name="rems_settings"),
    path("portal/goals/", views.my_goals, name="my_goals"),
]
