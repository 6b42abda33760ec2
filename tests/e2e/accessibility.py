"""axe-core in the browser tests: the copy of axe.min.js that the axe-playwright-python package
ships, run against the page for the WCAG 2.0, 2.1 and 2.2 level A and AA rules.

Every staff page a browser test shows is checked without the test asking: `watch_staff_pages()`
adds axe and a small watcher to each page of a browser context before the page's own scripts
run; the watcher checks the page when it has loaded and after each htmx swap a person's action
brought has settled, and reports what it found to the test; `check_open_pages()` checks each
page as the test leaves it. Patient and public pages are checked where their tests call
`axe_violations()`."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Pages that are not staff pages: the public site, signing in, the JSON API (and its
# generated documentation), and what a patient (or a guardian) sees in the portal, by a link, or
# on the clinic's tablet.
NOT_STAFF = re.compile(
    r"^/(?:$|treatment/|conditions/|safety/|consultation/"
    r"|accounts/(?:login|logout|two-factor|password-reset)/"
    r"|api/|portal/|messages/|patients/me/|q/|checkin/"
    r"|assessments/requests/[^/]+/tablet/answer/|patients/[^/]+/consent/[^/]+/tablet/)"
)

_SUMMARY = """
violations => violations.map(v =>
  `${v.id}: ${v.help} (${v.nodes.slice(0, 5).map(n => JSON.stringify(n.target)).join(", ")})`)
"""

# The watcher: one check at a time (axe refuses to run twice at once), a check asked for while
# one runs is done after it, and window.__clinicAxeIdle() waits for the last one. A swap is
# checked when something the person did brought it (a click, a submit, a change); a poll's
# swap is not (it has no triggering event): the session page's live region polls every second,
# an axe run each time would slow the page its own tests time, and what a poll shows is checked
# on load and when the test ends.
_WATCHER = """
(() => {
  if (window.top !== window) return;
  const tags = %(tags)s;
  const summary = %(summary)s;
  let queued = false;
  let last = Promise.resolve();
  function check(reason) {
    if (queued) return;
    queued = true;
    last = last.then(() => new Promise(resolve => setTimeout(resolve, 0))).then(async () => {
      queued = false;
      const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
      });
      await window.__clinicAxeReport(location.pathname, reason, summary(results.violations));
    }).catch(() => {});
  }
  window.__clinicAxeIdle = () => last;
  window.addEventListener("load", () => check("load"));
  document.addEventListener("htmx:afterSettle", event => {
    const request = event.detail && event.detail.requestConfig;
    if (request && !request.triggeringEvent) return;
    check("htmx swap");
  });
})();
"""


@cache
def _axe_source() -> str:
    return files("axe_playwright_python").joinpath("axe.min.js").read_text()


def is_staff_page(path: str) -> bool:
    return not NOT_STAFF.match(path)


def axe_violations(page) -> list[str]:
    """Each violation as "rule: what it found (where)"; empty when the page passes."""
    # Evaluated through the browser's debugging protocol, which the page's
    # Content-Security-Policy does not govern (an injected <script> would be refused).
    if page.evaluate("typeof window.axe === 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        "async tags => { if (window.__clinicAxeIdle) await window.__clinicAxeIdle(); "
        "const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        f"resultTypes: ['violations']}}); return ({_SUMMARY})(results.violations); }}",
        WCAG_A_AA,
    )


def watch_staff_pages(context) -> list[str]:
    """Check every staff page the context shows, on load and after each htmx swap; the list
    returned fills with "path (when): violation" for each violation found."""
    found: list[str] = []

    def report(_source, path: str, reason: str, violations: list[str]) -> None:
        if is_staff_page(path):
            found.extend(f"{path} ({reason}): {violation}" for violation in violations)

    context.expose_binding("__clinicAxeReport", report)
    context.add_init_script(
        script=_axe_source()
        + _WATCHER % {"tags": json.dumps(WCAG_A_AA), "summary": _SUMMARY.strip()}
    )
    return found


def check_open_pages(context, found: list[str]) -> None:
    """Check each staff page still open in the context as it is now (the watcher's checks of
    pages a test left quickly may not have finished), adding to the found list."""
    from playwright.sync_api import Error as PlaywrightError

    for page in context.pages:
        if page.is_closed() or page.url.startswith("about:"):
            continue
        path = urlsplit(page.url).path
        if not is_staff_page(path):
            continue
        try:
            violations = axe_violations(page)
        except PlaywrightError:
            # A page the test left navigating (its next page is checked by the watcher).
            continue
        found.extend(f"{path} (at the end): {violation}" for violation in violations)
