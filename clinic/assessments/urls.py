from django.urls import path

from clinic.assessments import views

app_name = "assessments"
urlpatterns = [
    path("patients/<uuid:patient_public_id>/questionnaires/send/", views.send, name="send"),
    path(
        "patients/<uuid:patient_public_id>/questionnaires/enter/<slug:instrument_code>/",
        views.enter,
        name="enter",
    ),
    path("assessments/responses/<uuid:public_id>/", views.response_detail, name="response"),
    path(
        "assessments/responses/<uuid:public_id>/entered-in-error/",
        views.entered_in_error,
        name="entered_in_error",
    ),
    path("assessments/alerts/new-urgent/", views.new_urgent_alerts, name="new_urgent_alerts"),
    path("assessments/alerts/to-contact/", views.alerts_to_contact, name="alerts_to_contact"),
    path("assessments/alerts/<uuid:public_id>/", views.alert_detail, name="alert"),
    path("assessments/alerts/<uuid:public_id>/contact/", views.alert_contact, name="alert_contact"),
    path(
        "assessments/side-effects/<uuid:public_id>/",
        views.side_effect_report,
        name="side_effect_report",
    ),
    # Side effects the patient reports from the portal.
    path("portal/side-effects/", views.my_side_effects, name="my_side_effects"),
    path("portal/side-effects/new/", views.report_side_effect, name="report_side_effect"),
    path(
        "portal/side-effects/checks/<uuid:public_id>/nothing/",
        views.nothing_to_report,
        name="nothing_to_report",
    ),
    path("portal/side-effects/<uuid:public_id>/", views.my_side_effect, name="my_side_effect"),
    path(
        "assessments/requests/<uuid:public_id>/cancel/", views.cancel_request, name="cancel_request"
    ),
    # Answering by secure link (no sign-in) …
    path("q/<str:token>/", views.answer_start, name="answer_start"),
    path("q/<str:token>/<slug:code>/", views.answer_instrument, name="answer_instrument"),
    path("q/<str:token>/<slug:code>/save/", views.answer_save, name="answer_save"),
    # … or on the clinic tablet, handed to the patient by a member of staff …
    path(
        "assessments/requests/<uuid:public_id>/tablet/",
        views.tablet_hand_over,
        name="tablet_hand_over",
    ),
    path(
        "assessments/requests/<uuid:public_id>/tablet/answer/",
        views.answer_start,
        {"tablet": True},
        name="tablet_start",
    ),
    path(
        "assessments/requests/<uuid:public_id>/tablet/answer/<slug:code>/",
        views.answer_instrument,
        {"tablet": True},
        name="tablet_instrument",
    ),
    path(
        "assessments/requests/<uuid:public_id>/tablet/answer/<slug:code>/save/",
        views.answer_save,
        {"tablet": True},
        name="tablet_save",
    ),
    # … or signed in to the portal.
    path("portal/questionnaires/<uuid:public_id>/", views.answer_start, name="portal_start"),
    path(
        "portal/questionnaires/<uuid:public_id>/<slug:code>/",
        views.answer_instrument,
        name="portal_instrument",
    ),
    path(
        "portal/questionnaires/<uuid:public_id>/<slug:code>/save/",
        views.answer_save,
        name="portal_save",
    ),
]
