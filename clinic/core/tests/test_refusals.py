"""The one way a view shows a service's refusal (clinic/core/forms.py)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.core.forms import refusal_as_message, refusal_caught, refusal_shown_on


class DoseForm(forms.Form):
    amount = forms.DecimalField()
    step = forms.CharField(widget=forms.HiddenInput)


def bound_form() -> DoseForm:
    form = DoseForm({"amount": "1", "step": "x"})
    assert form.is_valid()
    return form


def test_a_refusal_is_shown_beside_its_field_and_the_block_ends():
    form = bound_form()
    reached_after = False
    with refusal_shown_on(form) as refusal:
        raise ClinicError("Too much.", field="amount")
        reached_after = True  # pragma: no cover
    assert not reached_after
    assert form.errors == {"amount": ["Too much."]}
    assert refusal.status_code == 400 and refusal.message == "Too much."


def test_a_service_s_field_is_renamed_to_the_form_s_and_a_hidden_one_is_said_above():
    form = bound_form()
    with refusal_shown_on(form, fields={"amount_ml": "amount"}):
        raise ClinicError("Too much.", field="amount_ml")
    assert form.errors == {"amount": ["Too much."]}
    form = bound_form()
    with refusal_shown_on(form):
        raise InvalidTransitionError("Changed meanwhile.", field="step")
    assert form.non_field_errors() == ["Changed meanwhile."]


def test_a_permission_refusal_is_the_403_page_unless_the_panel_shows_it():
    with pytest.raises(PermissionDeniedError), refusal_shown_on(bound_form()):
        raise PermissionDeniedError("Your role does not give doses.")
    form = bound_form()
    with refusal_shown_on(form, permission_too=True) as refusal:
        raise PermissionDeniedError("Your role does not give doses.", field="amount")
    # About the person, not the field: said above the form.
    assert form.non_field_errors() == ["Your role does not give doses."]
    assert refusal.status_code == 403


def test_a_block_not_refused_leaves_the_form_alone():
    form = bound_form()
    with refusal_shown_on(form) as refusal:
        pass
    assert refusal.error is None and refusal.status_code == 200 and not form.errors


def test_a_button_s_refusal_is_a_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with refusal_as_message(request) as refusal:
        raise InvalidTransitionError("Already done.")
    assert [str(m) for m in request._messages] == ["Already done."]
    assert refusal.status_code == 409
    with pytest.raises(PermissionDeniedError), refusal_as_message(request):
        raise PermissionDeniedError("No.")


def test_other_errors_pass_through():
    with pytest.raises(ValueError), refusal_caught(permission_too=True):
        raise ValueError("a bug, not a refusal")
