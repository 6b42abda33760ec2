from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from clinic.core.template_choices import register_template_choices
        from clinic.scheduling import chart  # noqa: F401  (registers the chart's "Appointments" section)
        from clinic.scheduling.choices import (
            AppointmentKind,
            AppointmentStatus,
            FollowUpKind,
            PatientRequestKind,
        )

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(
            AppointmentKind, AppointmentStatus, FollowUpKind, PatientRequestKind
        )
