"""The shared form partials (core/form_field.html, core/form_errors.html): each field's
aria-describedby names its help text and its error, both on the page (WCAG 2.1 SC 1.3.1 Info and
Relationships, SC 3.3.1 Error Identification), and a refused form opens with one error summary
that links to each field in error."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string

from clinic.core.tests.accessibility import describedby_missing, read_page


class EveryWidget(forms.Form):
    name = forms.CharField(label="Name", help_text="As on the ID.")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, help_text="Optional.")
    count = forms.IntegerField(label="Count", min_value=1)
    route = forms.ChoiceField(label="Route", choices=[("iv", "IV"), ("im", "IM")])
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("a", "A"), ("b", "B")],
        widget=forms.RadioSelect,
        help_text="Pick one.",
    )
    symptoms = forms.MultipleChoiceField(
        label="Symptoms",
        choices=[("x", "X"), ("y", "Y")],
        widget=forms.CheckboxSelectMultiple,
    )
    agreed = forms.BooleanField(label="Agreed", help_text="Tick to agree.")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The form as a whole is refused.")


def _render(form) -> str:
    fields = "".join(
        render_to_string("core/form_field.html", {"field": field})
        for field in form.visible_fields()
    )
    return render_to_string("core/form_errors.html", {"form": form}) + fields


@pytest.mark.parametrize(
    "data",
    [None, {}, {"name": "Alice", "count": "0", "route": "iv", "version": "x"}],
    ids=["unbound", "empty", "partly wrong"],
)
def test_every_describedby_names_an_element_on_the_page(data):
    form = EveryWidget(data)
    html = _render(form)
    assert describedby_missing(html) == []
    described = {ident for _what, value in read_page(html).described for ident in value.split()}
    assert {"id_name_helptext", "id_kind_helptext", "id_agreed_helptext"} <= described
    if data is not None:
        # The errors are named too, a fieldset's (radio buttons, checkboxes) as well as a widget's.
        assert {"id_count_error", "id_kind_error", "id_symptoms_error"} <= described


def test_a_refused_form_opens_with_one_summary_linking_to_each_field_in_error():
    form = EveryWidget({"name": "", "count": "0", "version": "x"})
    html = _render(form)
    page = read_page(html)
    assert html.count("There is a problem") == 1
    assert html.count('role="alert"') == 1, "the summary is the one alert"
    assert "The form as a whole is refused." in html
    assert "Version:" in html, "a hidden field's error is said in words"
    in_error = {field.name for field in form.visible_fields() if field.errors}
    assert in_error == {"name", "notes", "count", "route", "kind", "symptoms", "agreed"}
    assert set(page.fragment_links) == {
        "id_name",
        "id_notes",
        "id_count",
        "id_route",
        # A group of choices is linked by its field's box (js/clinic.js focuses its first choice).
        "field-kind",
        "field-symptoms",
        "id_agreed",
    }
    assert set(page.fragment_links) <= page.ids, "each link reaches its field"


def test_a_valid_or_unbound_form_has_no_summary():
    assert "There is a problem" not in _render(EveryWidget())
