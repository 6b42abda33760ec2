from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinic.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Login, logout and failed-login events are written to the audit log by these receivers:
        # they are the only hook that also covers the admin's login form and django-axes.
        from clinic.accounts import receivers  # noqa: F401
        from clinic.accounts.choices import Role
        from clinic.core.template_choices import register_template_choices

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(Role)
