"""The statuses, routes and kinds templates compare against, by name.

A template says `{% if session.status == SessionStatus.IN_PROGRESS %}`, never
`{% if session.status == "in-progress" %}`: a value respelled in `choices.py` then changes every
page with it, and a misspelt name fails a test instead of quietly being false.

Django's `{% if %}` turns any error inside a comparison into false, so a misspelling cannot fail
the page there; `clinic/core/tests/test_template_choices.py` reads every template instead and
fails on a name or a member that does not exist (and on a status, route or kind compared with a
string), rendered by a test or not. Elsewhere (`{{ SessionStatus.SIGNED }}`, a bare
`{% if Name.MEMBER %}`) the wrapper below makes a missing member raise `UnknownChoice`, which the
template engine lets through, rather than render as nothing.

Each app registers the choices its templates compare against from its `AppConfig.ready()` with
`register_template_choices()` (core never imports the apps above it). The names reach every page
through the `clinic` context processor; a template rendered without a request (the PDFs, a chart
fragment) is given them by whoever renders it, with `template_choices()`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models


class UnknownChoice(Exception):
    """A template asked for a member its choices do not have (a misspelling). Not one of the
    errors the template engine turns into an empty value, so the page fails."""


class ChoicesForTemplates:
    """A TextChoices as a template sees it: `Name.MEMBER` is the member (equal to the stored
    string); any other name raises."""

    def __init__(self, name: str, choices: type[models.TextChoices]) -> None:
        self.name = name
        self.choices = choices

    def __getitem__(self, member: str) -> models.TextChoices:
        # The template engine looks `Name.MEMBER` up as an item before it tries an attribute.
        try:
            return self.choices[member]
        except KeyError:
            raise UnknownChoice(
                f"{self.name} has no member {member!r} (it has {', '.join(self.choices.names)})"
            ) from None

    def __getattr__(self, member: str) -> models.TextChoices:
        if member.startswith("_"):
            raise AttributeError(member)
        return self[member]

    def __repr__(self) -> str:
        return f"<choices {self.name}>"


_REGISTERED: dict[str, ChoicesForTemplates] = {}


def register_template_choices(
    *choices: type[models.TextChoices], **named: type[models.TextChoices]
) -> None:
    """Offer `choices` to every template under their class names, and `named` under the name
    given (for two apps' classes of the same name, e.g. two kinds of alert status)."""
    for name, one in [(c.__name__, c) for c in choices] + list(named.items()):
        known = _REGISTERED.get(name)
        if known is not None and known.choices is not one:
            raise ImproperlyConfigured(
                f"{name} is already offered to templates as {known.choices.__module__}.{name}: "
                "register this one under another name"
            )
        _REGISTERED[name] = ChoicesForTemplates(name, one)


def template_choices() -> dict[str, Any]:
    """Every registered name, for a template's context."""
    return dict(_REGISTERED)
