from django.urls import path

from clinic.sessions import views

app_name = "sessions"
urlpatterns = [
    path("sessions/", views.board, name="board"),
    path("sessions/stop-level-alerts/", views.stop_alerts, name="stop_alerts"),
    path("sessions/rems-forms/", views.rems_forms, name="rems_forms"),
    path(
        "appointments/<uuid:appointment_public_id>/session/",
        views.start,
        name="start",
    ),
    path("sessions/<uuid:public_id>/", views.detail, name="detail"),
    path("sessions/<uuid:public_id>/live/", views.live, name="live"),
    path("sessions/<uuid:public_id>/summary/", views.summary, name="summary"),
    # Before the actions' <slug:action>: a page to print, not an action.
    path("sessions/<uuid:public_id>/after-care/", views.aftercare, name="aftercare"),
    path("sessions/<uuid:public_id>/rems-form/", views.rems_form, name="rems_form"),
    path("sessions/<uuid:public_id>/<slug:action>/", views.act, name="act"),
    path(
        "sessions/<uuid:public_id>/alerts/<uuid:alert_public_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
]
