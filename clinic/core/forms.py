from __future__ import annotations

from django import forms

from clinic.core.exceptions import ClinicError


def add_service_error(form: forms.Form, error: ClinicError) -> None:
    """Show a refused action's message beside the field it concerns (or above the form)."""
    field = error.field if error.field in form.fields else None
    if field is not None and form.fields[field].widget.is_hidden:
        # A hidden field shows no errors: say it above the form.
        field = None
    form.add_error(field, error.message)


def posted_data(request):
    """The POST data for a bound form, or None on GET. An empty POST still binds the form, so
    that it is validated (and refused) rather than silently shown blank."""
    return request.POST if request.method == "POST" else None


def form_status(*forms_shown) -> int:
    """400 when a form is shown again with errors (the page still keeps what was typed)."""
    return (
        400
        if any(form is not None and form.is_bound and form.errors for form in forms_shown)
        else 200
    )
