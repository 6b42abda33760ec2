from __future__ import annotations

import uuid

from django import forms

from clinic.core.forms import choice_field
from clinic.messaging.choices import Topic
from clinic.messaging.models import MESSAGE_MAX_CHARACTERS


class _MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MESSAGE_MAX_CHARACTERS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_CHARACTERS}),
        error_messages={
            "required": "Write your message before sending it.",
            "max_length": f"A message holds at most {MESSAGE_MAX_CHARACTERS} characters.",
        },
    )
    # Chosen when the page is drawn and kept with a draft: the same message sent twice is
    # written once.
    submit_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Reload the page and send again.",
            "invalid": "Reload the page and send again.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submit_key", uuid.uuid4())


class NewConversationForm(_MessageForm):
    topic = forms.ChoiceField(
        label="What is it about?",
        choices=[("", "Choose…"), *Topic.choices],
        error_messages={
            "required": "Choose what your message is about.",
            "invalid_choice": "Choose what your message is about.",
        },
        help_text="Appointments and billing questions are read by the front desk; the others by "
        "the clinical team.",
    )
    field_order = ["topic", "body", "submit_key"]


class ReplyForm(_MessageForm):
    pass


class StaffReplyForm(_MessageForm):
    body = forms.CharField(
        label="Reply",
        max_length=MESSAGE_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_CHARACTERS}),
        error_messages={"required": "Write the reply before sending it."},
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label="Assign to", required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.public_id): p for p in people}
        choice_field(self, "assignee").choices = [("", "Nobody")] + [
            (key, f"{p.full_name} ({p.get_role_display()})") for key, p in self.people.items()
        ]

    def clean_assignee(self):
        key = self.cleaned_data["assignee"]
        return self.people.get(key) if key else None


class SmsPreferenceForm(forms.Form):
    sms_opt_in = forms.BooleanField(
        label="Text me when a reply is waiting, and before my appointments",
        required=False,
    )


class ReplyTemplateForm(forms.Form):
    """One of the team's reply templates, as the medical director writes it."""

    title = forms.CharField(
        label="Title",
        max_length=80,
        help_text="What the team picks it by, e.g. “Moving an appointment”.",
        error_messages={"required": "Give the template a short title."},
    )
    topic = forms.ChoiceField(
        label="Offered in",
        required=False,
        choices=[("", "Every topic"), *Topic.choices],
        error_messages={"invalid_choice": "Choose a topic, or every topic."},
    )
    body = forms.CharField(
        label="Text",
        max_length=MESSAGE_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MESSAGE_MAX_CHARACTERS}),
        help_text="Plain text. The person replying reads it over and changes it before sending.",
        error_messages={
            "required": "Write the template's text.",
            "max_length": f"A template holds at most {MESSAGE_MAX_CHARACTERS} characters.",
        },
    )
    is_active = forms.BooleanField(label="Offered to the team", required=False, initial=True)
