from django.urls import path

from clinic.messaging import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.my_messages, name="mine"),
    path("messages/texts/", views.my_sms_preference, name="sms_preference"),
    path("messages/<uuid:public_id>/", views.my_conversation, name="my_conversation"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/templates/", views.reply_templates, name="templates"),
    path("inbox/templates/<int:pk>/", views.reply_template_edit, name="template_edit"),
    path("inbox/<uuid:public_id>/", views.conversation, name="conversation"),
    path("inbox/<uuid:public_id>/assign/", views.assign, name="assign"),
    path("inbox/<uuid:public_id>/done/", views.mark_done, name="done"),
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
]
