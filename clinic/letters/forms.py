from django import forms

from clinic.letters.choices import SentVia


class LetterForm(forms.Form):
    next_steps = forms.CharField(
        label="Current plan and next steps",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="What happens next: sessions left, maintenance, what you ask of the referrer.",
    )
    comment = forms.CharField(
        label="Clinical comment (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    password = forms.CharField(
        label="Your password, to sign", widget=forms.PasswordInput, strip=False
    )


class SentForm(forms.Form):
    sent_via = forms.ChoiceField(label="Sent by", choices=SentVia.choices)
