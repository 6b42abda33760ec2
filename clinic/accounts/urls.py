from django.urls import path

from clinic.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("home/", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("team/new/", views.team_add, name="team_add"),
    path("team/<uuid:public_id>/", views.team_edit, name="team_edit"),
    path("team/<uuid:public_id>/active/", views.team_set_active, name="team_set_active"),
    path(
        "team/<uuid:public_id>/reset-two-factor/",
        views.team_reset_two_factor,
        name="team_reset_two_factor",
    ),
    path(
        "team/<uuid:public_id>/enrolment-code/",
        views.team_issue_enrolment_code,
        name="team_issue_enrolment_code",
    ),
]
