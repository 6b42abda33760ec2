"""Template hygiene that would otherwise show on a page."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted(ROOT.glob("clinic/**/templates/**/*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_comment_spans_lines(path):
    # Django's {# … #} comment ends at the end of its line: one left open is printed on the page
    # (use {% comment %} … {% endcomment %} for more than one line).
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        opened = line.count("{#") - line.count("#}")
        assert opened <= 0, f"{path.relative_to(ROOT)}:{number}: a {{# comment runs past its line"
