"""axe-core in the browser tests: the engine's script comes from the axe-playwright-python package
(a dev dependency that ships Deque's axe.min.js); the page is checked against the WCAG 2.0, 2.1
and 2.2 level A and AA rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def wcag_violations(page) -> list[str]:
    """Every WCAG 2.x A/AA violation axe-core finds on the page as shown, one line each (rule,
    impact, the first elements concerned). The script is evaluated through the browser's
    debugging protocol, which the page's Content-Security-Policy does not govern."""
    page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_A_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
    ]
