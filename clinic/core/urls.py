from django.urls import path

from clinic.core import views

app_name = "documents"

urlpatterns = [
    path("<uuid:public_id>/", views.document, name="detail"),
    path("<uuid:public_id>/status/", views.document_status, name="status"),
    path("<uuid:public_id>/download/", views.document_download, name="download"),
]
