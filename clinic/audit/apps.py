from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clinic.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from django.db.models.signals import post_save

        from clinic.audit.models import AuditEvent

        post_save.connect(
            _note_refusal, sender=AuditEvent, dispatch_uid="clinic_audit_note_refusal"
        )


def _note_refusal(sender, instance, created, **kwargs):
    from clinic.audit.choices import AuditOutcome
    from clinic.audit.context import note_refusal_audited

    if created and instance.outcome != AuditOutcome.SUCCESS:
        note_refusal_audited()
