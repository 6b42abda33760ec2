from django.urls import path

from clinic.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("outcomes/", views.outcomes, name="home"),
    path("outcomes/export/<slug:table>.csv", views.export, name="export"),
    path("retention/", views.drop_offs, name="drop_offs"),
    path("retention/<uuid:patient_public_id>/", views.outreach, name="outreach"),
]
