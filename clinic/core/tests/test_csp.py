"""The Content-Security-Policy, and the markup that lets it be strict: no inline script, style or
event handler in any template or in HTML the code builds (a browser would refuse to run or apply
them). tests/e2e/test_content_security_policy.py opens the pages in a real browser."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from conftest import client_for

ROOT = Path(__file__).resolve().parents[3]
CLINIC = ROOT / "clinic"

# A <script> element with something between its tags. A JSON data block (type="application/json",
# as json_script writes) is data, not code: the policy does not apply to it.
INLINE_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.I | re.S)
FORBIDDEN = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "an inline event handler (on...=)": re.compile(r"\son[a-z]+\s*=", re.I),
    "an htmx attribute that evaluates JavaScript": re.compile(
        r"\s(data-)?hx-on|[\"'{]\s*(js|javascript):", re.I
    ),
}


def inline_markup(text: str) -> list[str]:
    found = [name for name, pattern in FORBIDDEN.items() if pattern.search(text)]
    for match in INLINE_SCRIPT.finditer(text):
        is_data = re.search(r"type\s*=\s*[\"']application/(ld\+)?json", match["attrs"], re.I)
        if match["body"].strip() and not is_data:
            found.append("an inline <script>")
    return found


def template_files() -> list[Path]:
    return sorted(
        path
        for path in CLINIC.rglob("*")
        if path.suffix in {".html", ".svg", ".txt"}
        and "templates" in path.relative_to(CLINIC).parts
    )


def python_strings(path: Path) -> str:
    """The string literals of a module (f-strings included): where Python writes HTML or SVG."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return "\n".join(token.string for token in tokens if token.type == tokenize.STRING)


def product_modules() -> list[Path]:
    return sorted(
        path
        for path in CLINIC.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(CLINIC).parts)
    )


def test_the_checks_catch_what_they_look_for():
    assert inline_markup('<p style="width: 40%">') == ["a style attribute"]
    assert inline_markup("<style>p {}</style>") == ["a <style> element"]
    assert inline_markup('<button onclick="go()">') == ["an inline event handler (on...=)"]
    assert inline_markup("<script>\nalert(1)\n</script>") == ["an inline <script>"]
    assert inline_markup("""<form hx-on::after-request="x()">""") == [
        "an htmx attribute that evaluates JavaScript"
    ]
    assert inline_markup("""<div hx-vals='js:{a: b()}'>""") == [
        "an htmx attribute that evaluates JavaScript"
    ]
    assert inline_markup('<script src="/static/js/clinic.js" defer></script>') == []
    assert inline_markup('<script type="application/json" id="d">{"a": 1}</script>') == []
    assert inline_markup('<rect x="1" width="40" fill="#fff"/> <p data-onset="x">') == []


def test_the_template_walk_finds_the_templates():
    names = {path.name for path in template_files()}
    assert {"base.html", "_items.html", "session.html", "summary.html"} <= names


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(CLINIC)))
def test_no_template_has_inline_script_style_or_handlers(path):
    assert inline_markup(path.read_text()) == []


@pytest.mark.parametrize("path", product_modules(), ids=lambda path: str(path.relative_to(CLINIC)))
def test_no_python_module_writes_inline_script_style_or_handlers(path):
    assert inline_markup(python_strings(path)) == []


def test_pages_carry_a_strict_content_security_policy(client, clinician):
    for response in (client.get("/"), client_for(clinician).get("/patients/")):
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        directives = {
            part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
        }
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["img-src"] == ["'self'", "data:"]
        assert directives["connect-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["base-uri"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy


@pytest.mark.django_db  # the public pages show the clinic's contact from its locations
def test_htmx_is_configured_to_add_no_inline_style_and_evaluate_nothing(client):
    page = client.get("/").content.decode()
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>"""
        in page
    )


def test_every_htmx_configuration_keeps_indicator_styles_and_eval_off():
    """htmx reads the first htmx-config it finds, so a page that overrides base.html's block must
    repeat the two settings the policy needs."""
    configurations = [
        match
        for path in template_files()
        for match in re.findall(r"\{% block htmx_config %\}(.*?)\{% endblock %\}", path.read_text())
    ]
    assert len(configurations) >= 2
    for configuration in configurations:
        assert '"includeIndicatorStyles": false' in configuration
        assert '"allowEval": false' in configuration
    assert all(
        "htmx-config" not in path.read_text() or path.name == "base.html"
        for path in template_files()
    )
