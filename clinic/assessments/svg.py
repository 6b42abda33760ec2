"""Progress charts drawn on the server as SVG: no chart library, no network, prints cleanly.

Severity bands are shaded (lighter for milder), the baseline is a dashed line, each score a point.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django.utils import timezone

from clinic.assessments.progress import Progress
from clinic.core.dates import show_date

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 30
BAND_COLOURS = ["#e8f5ee", "#f4f7dc", "#fdf1d6", "#fbe0cf", "#f6d0d0"]


def _y(value: Decimal | int, low: Decimal, high: Decimal) -> float:
    span = float(high - low) or 1.0
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (float(value) - float(low)) / span)


def progress_svg(progress: Progress) -> str:
    instrument = progress.instrument
    low, high = Decimal(instrument.min_total), Decimal(instrument.max_total)
    plot_width = WIDTH - LEFT - RIGHT
    parts = [
        f'<svg class="progress-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-{instrument.code}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{instrument.code}-title">{escape(instrument.short_name)} scores over time, with severity bands</title>',
    ]
    bands = [band for band in instrument.bands if band.low <= band.high]
    # Screens give a result, not a severity band to follow over time.
    if instrument.charted:
        for index, band in enumerate(bands):
            top = _y(
                min(Decimal(band.high) + (1 if isinstance(band.high, int) else 0), high), low, high
            )
            bottom = _y(band.low, low, high)
            colour = (
                BAND_COLOURS[min(index, len(BAND_COLOURS) - 1)]
                if len(bands) <= 5
                else BAND_COLOURS[index % 5]
            )
            parts.append(
                f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_width}" height="{max(bottom - top, 0):.1f}" fill="{colour}">'
                f"<title>{escape(band.label)}: {band.low}–{band.high}</title></rect>"
            )
            parts.append(
                f'<text x="{WIDTH - RIGHT - 4}" y="{top + 12:.1f}" text-anchor="end" class="band-label">{escape(band.label)}</text>'
            )
    for tick in (low, (low + high) / 2, high):
        y = _y(tick, low, high)
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{tick.normalize():f}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" class="axis-line"/>'
    )
    points = progress.points
    count = len(points)
    start, end = points[0].taken_at, points[-1].taken_at
    span = (end - start).total_seconds() or 1.0

    def x_of(point) -> float:
        if count == 1:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (point.taken_at - start).total_seconds() / span

    baseline_y = _y(progress.baseline.total, low, high)
    parts.append(
        f'<line x1="{LEFT}" y1="{baseline_y:.1f}" x2="{WIDTH - RIGHT}" y2="{baseline_y:.1f}" class="baseline"><title>Baseline {progress.baseline.total.normalize():f}</title></line>'
    )
    coordinates = [(x_of(p), _y(p.total, low, high)) for p in points]
    if count > 1:
        parts.append(
            '<polyline class="score-line" fill="none" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
            + '"/>'
        )
    for (x, y), point in zip(coordinates, points, strict=True):
        when = timezone.localtime(point.taken_at)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" class="score-point"><title>{show_date(when)}: {point.total.normalize():f} ({escape(instrument.band_label(point.severity))})</title></circle>'
        )
    for point in (points[0], points[-1]) if count > 1 else (points[0],):
        when = timezone.localtime(point.taken_at)
        anchor = "start" if point is points[0] and count > 1 else "end" if count > 1 else "middle"
        parts.append(
            f'<text x="{x_of(point):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}" class="axis">{show_date(when)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
