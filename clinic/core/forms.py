"""Forms' part of the house rules: one way to show a service's refusal beside the field."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class Refusal:
    """What the block under `refusal_shown_on`, `refusal_as_message` or `refusal_caught` was
    refused with: `error` is None when it was not refused."""

    error: ClinicError | None = None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""

    @property
    def status_code(self) -> int:
        """The refusal's HTTP status (`ClinicError.status_code`), 200 when there was none."""
        return self.error.status_code if self.error is not None else 200


@contextmanager
def refusal_caught(*, permission_too: bool = False) -> Iterator[Refusal]:
    """The refusal (ClinicError) of the block, kept in the `Refusal` it yields for a view that
    shows it its own way (a banner, a fragment's text). A permission refusal is not caught
    unless `permission_too`: it is Django's PermissionDenied, answered by the 403 page."""
    refusal = Refusal()
    try:
        yield refusal
    except PermissionDeniedError as error:
        if not permission_too:
            raise
        refusal.error = error
    except ClinicError as error:
        refusal.error = error


@contextmanager
def refusal_shown_on(
    form: forms.BaseForm,
    *,
    permission_too: bool = False,
    fields: Mapping[str, str] | None = None,
) -> Iterator[Refusal]:
    """The one form → service → refusal step of a view:

        with refusal_shown_on(form):
            record = services.do_it(actor=request.user, **form.cleaned_data)
            return redirect(record)
        # refused: the form is shown again with the service's message beside its field

    A refusal (ClinicError) is shown on the form and the block ends; a permission refusal is
    not caught: it is Django's PermissionDenied, answered by the 403 page. A panel that shows
    even a permission refusal on its form (`permission_too`) shows it above the form: it is
    about the person, not a field. `fields` names the form's field for a service's field where
    the two differ. The `Refusal` yielded tells what the block was refused with."""
    with refusal_caught(permission_too=permission_too) as refusal:
        yield refusal
    if isinstance(refusal.error, PermissionDeniedError):
        form.add_error(None, refusal.error.message)
    elif refusal.error is not None:
        add_service_error(form, refusal.error, fields=fields)


@contextmanager
def refusal_as_message(request) -> Iterator[Refusal]:
    """As refusal_shown_on, for an action with no form to show again (a button): the refusal is
    shown as a message on the page the view goes back to."""
    with refusal_caught() as refusal:
        yield refusal
    if refusal.error is not None:
        messages.error(request, refusal.error.message)


def add_service_error(
    form: forms.BaseForm, error: ClinicError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Show a refused action's message beside the field it concerns (or above the form)."""
    field = (fields or {}).get(error.field or "", error.field)
    field = field if field in form.fields else None
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
