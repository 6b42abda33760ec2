from django.urls import path

from clinic.reviews import views

app_name = "reviews"
urlpatterns = [
    path("patients/<uuid:patient_public_id>/reviews/open/", views.open_review, name="open"),
    path(
        "patients/<uuid:patient_public_id>/reviews/<uuid:public_id>/",
        views.detail,
        name="detail",
    ),
]
