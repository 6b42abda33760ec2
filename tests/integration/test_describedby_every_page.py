"""Every page, as every role, and every form page refused once (posted empty): each field's
aria-describedby names elements that are on the page (its help text, its error), so a screen
reader reads them with the field (WCAG 2.1 SC 1.3.1 Info and Relationships, SC 3.3.1 Error
Identification), and each link in an error summary reaches its field.

The URLs and their sample values are the audit walk's (test_audit_every_access.py), so a new page
is walked as soon as it exists."""

from __future__ import annotations

import pytest

from clinic.core.tests.accessibility import describedby_missing, read_page
from conftest import client_for
from tests.integration.test_audit_every_access import (  # noqa: F401 - the walk's fixtures
    ALL_ROUTES,
    ROLES,
    fill,
    report_kind,
    world,
)

pytestmark = pytest.mark.django_db

# Pages the walk does not post to, and why.
NOT_POSTED = {
    "accounts:logout": "signs the walk's client out",
    "accounts:team_set_active": "would change the sample nurse's account, which the walk uses",
    "accounts:team_reset_two_factor": "would change the sample nurse's account",
    "accounts:team_issue_enrolment_code": "would change the sample nurse's account",
}
# Pages the walk does not open, and why.
NOT_WALKED = {
    "accounts:password_reset_confirm": "needs a token from a reset e-mail (clinic/accounts/tests/)",
    "messaging:sms_inbound": "the SMS provider's webhook: no page",
}


def _pages():
    for name, route, api_methods in ALL_ROUTES:
        if api_methods is None and not name.startswith("admin:") and name not in NOT_WALKED:
            yield name, route


def _problems(said: str, response) -> list[str]:
    if response.status_code >= 500:
        return [f"{said} → {response.status_code}"]
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    html = response.content.decode()
    page = read_page(html)
    problems = [f"{said}: aria-describedby {missing}" for missing in describedby_missing(html)]
    if "data-error-summary" in html:
        problems += [
            f"{said}: the error summary links to #{ident}, which is not on the page"
            for ident in page.fragment_links
            if ident not in page.ids
        ]
    return problems


def test_every_describedby_names_an_element_on_the_page(personas, request):
    samples = request.getfixturevalue("world")
    problems: list[str] = []
    walked = 0
    for name, route in _pages():
        path = fill(name, route, samples)
        for role in ROLES:
            client = client_for(personas[role])
            response = client.get(path)
            if response.status_code == 405 and name not in NOT_POSTED:
                response = client.post(path, {})
                problems += _problems(f"{role} POST {path} ({name})", response)
                continue
            problems += _problems(f"{role} GET {path} ({name})", response)
            if response.status_code != 200 or name in NOT_POSTED:
                continue
            walked += 1
            actions = read_page(response.content.decode()).post_actions
            if any(action in ("", path) for action in actions):
                # The page's own form, sent empty: refused, with its errors beside the fields.
                refused = client.post(path, {})
                problems += _problems(f"{role} POST {path} ({name})", refused)
    assert walked > 100, "the walk opened the pages"
    assert not problems, "\n".join(dict.fromkeys(problems))
