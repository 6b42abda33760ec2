from __future__ import annotations

from django import forms

from clinic.reviews.choices import ReviewDecision, ReviewKind
from clinic.reviews.models import FollowUpReview
from clinic.reviews.services import EDITABLE_FIELDS, TEXT_LIMIT


class OpenReviewForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ReviewKind.choices, initial=ReviewKind.IN_PERSON, label="How you meet"
    )
    follow_up = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ReviewForm(forms.ModelForm):
    """The review as the clinician writes it: how they met, the patient's concerns, the
    assessment and the decision with the values it needs."""

    decision = forms.ChoiceField(
        choices=[("", "— choose —"), *ReviewDecision.choices], required=False, label="Decision"
    )

    class Meta:
        model = FollowUpReview
        fields = list(EDITABLE_FIELDS)
        labels = {
            "kind": "How you meet",
            "concerns": "The patient's concerns (in their words)",
            "assessment": "Your assessment",
            "decision_reason": "Reason for the decision",
            "new_dose": "New dose (mg/kg, or mg for a fixed dose)",
            "new_infusion_minutes": "New infusion duration (minutes, IV)",
            "new_interval_days": "Interval between sessions (days)",
            "booster_sessions": "Booster sessions",
        }
        help_texts = {
            "new_interval_days": "Change the interval, or the maintenance interval to move to "
            "(empty: the plan's current one).",
        }
        widgets = {
            "concerns": forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT}),
            "assessment": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_LIMIT}),
            "decision_reason": forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_LIMIT}),
        }

    def changes(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS} | {
            name: self.cleaned_data.get(name) or ""
            for name in ("concerns", "assessment", "decision", "decision_reason")
        }


class SignReviewForm(forms.Form):
    password = forms.CharField(
        label="Your password (to sign)",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum", widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_LIMIT
    )
    password = forms.CharField(
        label="Your password (to sign)",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )
