from django.urls import path

from clinic.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("treatment/", views.treatment, name="treatment"),
    path("conditions/", views.conditions, name="conditions"),
    path("safety/", views.safety, name="safety"),
    path("consultation/", views.consultation_request, name="request"),
    path("consultation/thanks/", views.consultation_thanks, name="thanks"),
    path("consultations/", views.queue, name="queue"),
    path("consultations/<uuid:public_id>/", views.detail, name="detail"),
    path("consultations/<uuid:public_id>/step/", views.record_step, name="record_step"),
    path("consultations/<uuid:public_id>/note/", views.add_note, name="add_note"),
    path("consultations/<uuid:public_id>/decline/", views.decline, name="decline"),
    path("consultations/<uuid:public_id>/convert/", views.convert, name="convert"),
]
