from django.urls import path

from clinic.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/book/", views.book_slot, name="book_slot"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("change-requests/", views.change_requests, name="change_requests"),
    path("change-requests/count/", views.change_request_count, name="change_request_count"),
    path("waitlist/", views.waitlist_page, name="waitlist"),
    path(
        "patients/<uuid:patient_public_id>/waitlist/",
        views.add_to_waitlist,
        name="add_to_waitlist",
    ),
    path("portal/offers/<uuid:public_id>/", views.answer_offer, name="answer_offer"),
    path("patients/<uuid:patient_public_id>/appointments/book/", views.book, name="book"),
    path(
        "patients/<uuid:patient_public_id>/appointments/series/",
        views.book_series,
        name="book_series",
    ),
    path("appointments/<uuid:public_id>/", views.appointment_detail, name="appointment"),
    path("portal/appointments/", views.my_appointments, name="my_appointments"),
    path("portal/appointments/<uuid:public_id>.ics", views.appointment_ics, name="appointment_ics"),
    path("calendar/feed/", views.my_calendar_feed, name="my_feed"),
    path("calendar/<str:token>.ics", views.staff_calendar_feed, name="staff_feed"),
    path("checkin/<str:token>/", views.pre_visit_check_in, name="check_in"),
]
