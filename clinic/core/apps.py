from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Clinic and locations"

    def ready(self) -> None:
        from clinic.core import guards

        connection_created.connect(guards.register_sqlite_functions)
        post_migrate.connect(guards.install_row_guards_after_migrate, sender=self)
        # The audit trail is append-only (HIPAA §164.312(b), 45 CFR §164.316(b)(2) retention).
        guards.register_row_guard(
            guards.RowGuard(
                name="audit_event",
                table="audit_auditevent",
                message="audit events are append-only",
            )
        )

        from clinic.core.choices import DocumentStatus, Route
        from clinic.core.template_choices import register_template_choices

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(DocumentStatus, Route)
