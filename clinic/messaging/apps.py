from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "clinic.messaging"
    label = "messaging"
    verbose_name = "Messages between visits"

    def ready(self) -> None:
        from clinic.core.template_choices import register_template_choices
        from clinic.messaging.choices import ConversationStatus, NoticeStatus

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(ConversationStatus, NoticeStatus)
