"""Forms' part of the house rules: one way to show a service's refusal beside the field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from django import forms
from django.contrib import messages

from clinic.core.exceptions import ClinicError, PermissionDeniedError


def label_choices_with(field: forms.ModelChoiceField, label: Callable[[Any], str]) -> None:
    """Show each of the field's choices as `label(record)` (Django's documented hook)."""
    field.label_from_instance = label  # type: ignore[method-assign,assignment]


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name` as the choice field it is: Django types a bound form's fields as
    plain `Field`, so setting `choices` would not type-check."""
    return cast(forms.ChoiceField, form.fields[name])


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field `name` as the model choice field it is, for setting its queryset and
    labels per request."""
    return cast(forms.ModelChoiceField, form.fields[name])


@contextmanager
def refusal_shown_on(form: forms.BaseForm) -> Iterator[None]:
    """The one form → service → refusal step of a view:

        with refusal_shown_on(form):
            record = services.do_it(actor=request.user, **form.cleaned_data)
            return redirect(record)
        # refused: the form is shown again with the service's message beside its field

    A refusal (ClinicError) is shown on the form and the block ends; a permission refusal is
    not caught: it is Django's PermissionDenied, answered by the 403 page."""
    try:
        yield
    except PermissionDeniedError:
        raise
    except ClinicError as error:
        add_service_error(form, error)


@contextmanager
def refusal_as_message(request) -> Iterator[None]:
    """As refusal_shown_on, for an action with no form to show again (a button): the refusal is
    shown as a message on the page the view goes back to."""
    try:
        yield
    except PermissionDeniedError:
        raise
    except ClinicError as error:
        messages.error(request, error.message)


def add_service_error(form: forms.BaseForm, error: ClinicError) -> None:
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
