"""axe-core in the browser tests: the copy of axe.min.js that the axe-playwright-python package
ships, run against the page for the WCAG 2.0, 2.1 and 2.2 level A and AA rules."""

from __future__ import annotations

from importlib.resources import files

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[str]:
    """Each violation as "rule: what it found (where)"; empty when the page passes."""
    source = files("axe_playwright_python").joinpath("axe.min.js").read_text()
    # Evaluated through the browser's debugging protocol, which the page's
    # Content-Security-Policy does not govern (an injected <script> would be refused).
    page.evaluate(source)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})",
        WCAG_A_AA,
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(str(n['target']) for n in v['nodes'][:5])})"
        for v in results["violations"]
    ]
