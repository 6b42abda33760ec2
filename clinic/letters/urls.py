from django.urls import path

from clinic.letters import views

app_name = "letters"
urlpatterns = [
    path("patients/<uuid:patient_public_id>/letters/new/", views.write_letter, name="write"),
    path("letters/<uuid:public_id>/", views.letter_detail, name="detail"),
]
