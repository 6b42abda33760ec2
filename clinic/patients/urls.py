from django.urls import path

from clinic.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_register, name="register"),
    path("new/possible-duplicates/", views.possible_duplicates, name="possible_duplicates"),
    path("me/", views.my_record, name="my_record"),
    path("<uuid:patient_public_id>/", views.patient_chart, name="chart"),
    path("<uuid:patient_public_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:patient_public_id>/status/", views.patient_change_status, name="change_status"),
    path("<uuid:patient_public_id>/invite/", views.patient_invite, name="invite"),
    path("<uuid:patient_public_id>/guardians/new/", views.guardian_add, name="guardian_add"),
    path(
        "<uuid:patient_public_id>/guardians/<uuid:guardian_public_id>/edit/",
        views.guardian_edit,
        name="guardian_edit",
    ),
    path(
        "<uuid:patient_public_id>/guardians/<uuid:guardian_public_id>/end/",
        views.guardian_end,
        name="guardian_end",
    ),
    path(
        "<uuid:patient_public_id>/guardians/<uuid:guardian_public_id>/invite/",
        views.guardian_invite,
        name="guardian_invite",
    ),
]
