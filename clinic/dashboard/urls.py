from django.urls import path

from clinic.dashboard import views

app_name = "dashboard"
urlpatterns = [path("", views.dashboard, name="home")]
