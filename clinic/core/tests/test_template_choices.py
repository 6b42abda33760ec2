"""Templates compare statuses, routes and kinds with the TextChoices members by name, and a
misspelt name fails here, for every template, whether a test renders the line or not (Django's
`{% if %}` makes any error inside a comparison false, so rendering alone would not tell)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template

import clinic
from clinic.core.template_choices import (
    UnknownChoice,
    register_template_choices,
    template_choices,
)
from clinic.sessions.choices import SessionStatus

CLINIC = Path(clinic.__file__).parent
TEMPLATES = sorted(CLINIC.glob("templates/**/*.html")) + sorted(
    CLINIC.glob("*/templates/**/*.html")
)
TAG = re.compile(r"\{[%{].*?[%}]\}", re.S)
# `Name.MEMBER`: a CamelCase name, then an upper-case member, outside a quoted string.
CHOICE = re.compile(r"(?<![\w.\"'])([A-Z][a-z]\w*)\.([A-Z][A-Z0-9_]*)\b")
LITERAL_COMPARISON = re.compile(r"([\w.|:\"'-]+) (?:==|!=) [\"'][^\"']*[\"']")

# The comparisons with a string that stay: none of them is a status, a route or a kind.
NOT_CHOICES = {
    # The calendar's and the series page's own navigation keys (query parameters).
    ("scheduling/calendar.html", "view"),
    ("scheduling/series.html", "phase"),
    # A consent paragraph ending in ":" is shown as a heading.
    ("evaluation/consent_sign.html", 'paragraph|slice:"-1:"'),
    ("evaluation/pdf/consent.html", 'paragraph|slice:"-1:"'),
    # A unit of an opioid line, as written on the prescription ("mg", "mcg/h").
    ("evaluation/_mme_lines.html", "line.unit"),
    # An ISO country code: the esketamine REMS applies in the United States.
    ("treatment/rems_settings.html", "location.country"),
    ("sessions/session.html", "session.location.country"),
    # The deployment's environment, from settings.
    ("base.html", "clinic_environment"),
    # Which side of the thread the include is drawn for (a parameter of the include).
    ("messaging/_thread.html", "own_side"),
    # Form fields and widgets by name, and which of the page's forms was posted.
    ("sessions/_panels.html", "field.name"),
    ("sessions/_panels.html", "bound_action"),
    ("core/form_field.html", "field.widget_type"),
    # The dose box ticked on the REMS form, as the form prints it.
    ("sessions/pdf/rems_form.html", "dose_choice"),
}


def _name(path: Path) -> str:
    parts = path.relative_to(CLINIC).parts
    return "/".join(parts[parts.index("templates") + 1 :])


def _tags(path: Path) -> list[str]:
    return TAG.findall(path.read_text())


def test_templates_were_found():
    assert len(TEMPLATES) > 100


def test_every_choice_a_template_names_exists():
    known = {name: wrapper.choices for name, wrapper in template_choices().items()}
    wrong = []
    for path in TEMPLATES:
        for tag in _tags(path):
            for name, member in CHOICE.findall(tag):
                if name not in known:
                    wrong.append(f"{_name(path)}: {name} is not offered to templates")
                elif member not in known[name].names:
                    wrong.append(f"{_name(path)}: {name} has no member {member}")
    assert wrong == []


def test_no_template_compares_a_status_route_or_kind_with_a_string():
    found = []
    for path in TEMPLATES:
        for tag in _tags(path):
            if not re.match(r"\{% *(el)?if ", tag):
                continue
            for left in LITERAL_COMPARISON.findall(tag):
                if (_name(path), left) not in NOT_CHOICES:
                    found.append(f"{_name(path)}: {left}")
    assert found == [], "compare with the TextChoices member by name: SessionStatus.IN_PROGRESS"


def test_a_member_compares_equal_to_the_stored_value():
    template = Template("{% if status == SessionStatus.IN_PROGRESS %}running{% endif %}")
    stored = str(SessionStatus.IN_PROGRESS.value)  # a plain string, as read from the database
    assert template.render(Context({"status": stored, **template_choices()})) == "running"
    other = Context({"status": SessionStatus.PREPARATION.value, **template_choices()})
    assert template.render(other) == ""


def test_a_misspelt_member_is_found_and_fails_where_it_is_shown(tmp_path):
    misspelt = tmp_path / "templates" / "misspelt.html"
    misspelt.parent.mkdir()
    misspelt.write_text(
        "{% if s.status == SessionStatus.IN_PROGRES or s.status == SesionStatus.SIGNED %}"
    )
    assert [(name, member) for tag in _tags(misspelt) for name, member in CHOICE.findall(tag)] == [
        ("SessionStatus", "IN_PROGRES"),
        ("SesionStatus", "SIGNED"),
    ]
    template = Template("{{ SessionStatus.IN_PROGRES }}")
    with pytest.raises(UnknownChoice, match="SessionStatus has no member 'IN_PROGRES'"):
        template.render(Context(template_choices()))


def test_two_choices_of_one_name_are_refused():
    from clinic.sessions.choices import AlertStatus

    with pytest.raises(ImproperlyConfigured, match="register this one under another name"):
        register_template_choices(SafetyAlertStatus=AlertStatus)
