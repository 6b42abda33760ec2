"""Template hygiene that would otherwise show on a page."""

import re
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


# The product's one date format and one time format (config/formats/en/formats.py): a template
# names them, it never spells a format out. The two variants of clinic/core/dates.py are filters
# (|weekday_date, |time_with_seconds).
NAMED_FORMATS = {"DATE_FORMAT", "TIME_FORMAT", "DATETIME_FORMAT", "YEAR_MONTH_FORMAT"}
# A machine reads these (ISO 8601): a value inside a tag (<input type=date value=…>, a
# datetime= attribute, a link's query), never the page's text.
MACHINE_FORMATS = {"Y-m-d", "c"}
DATE_FILTER = re.compile(r"""\|(?:date|time):(["'])(.*?)\1""")
ALL_TEMPLATES = sorted(
    path
    for path in ROOT.glob("clinic/**/templates/**/*")
    if path.is_file() and path.suffix in {".html", ".txt"}
)


def _inside_a_tag(line: str, at: int) -> bool:
    before = line[:at]
    return before.rfind("<") > before.rfind(">")


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_dates_use_the_named_formats(path):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        for match in DATE_FILTER.finditer(line):
            format_ = match.group(2)
            if format_ in NAMED_FORMATS:
                continue
            where = f"{path.relative_to(ROOT)}:{number}"
            assert format_ in MACHINE_FORMATS, (
                f'{where}: |date:"{format_}" spells a format out; name one of {sorted(NAMED_FORMATS)}'
                " or use |weekday_date / |time_with_seconds"
            )
            assert _inside_a_tag(line, match.start()), (
                f'{where}: |date:"{format_}" is for machines (attributes, links), not the text'
            )


def test_the_scan_finds_a_spelled_out_format_and_tells_text_from_a_tag():
    text = '<p>{{ a.starts_at|date:"M j, H:i" }}</p>'
    assert [m.group(2) for m in DATE_FILTER.finditer(text)] == ["M j, H:i"]
    assert not _inside_a_tag(text, text.index("|date"))
    link = "<a href=\"?day={{ day|date:'Y-m-d' }}\">"
    assert _inside_a_tag(link, link.index("|date"))
