"""The chart's "Reviews" section (the follow-up reviews, the reviews due, opening one) and the
"review due: possible relapse" banner."""

from django.urls import reverse

from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.selectors import patient_relapse_flags, patient_relapses
from clinic.patients.chart import ChartSection, register_chart_banner, register_chart_section
from clinic.reviews import selectors
from clinic.reviews.choices import ReviewKind
from clinic.reviews.permissions import REVIEW_READ_ROLES, can_write_reviews


def _reviews_context(viewer, patient):
    return {
        "reviews": selectors.patient_reviews(patient),
        "due": selectors.due_review_follow_ups(patient),
        "open_review": selectors.open_review(patient),
        "relapses": [(INSTRUMENTS[r.instrument_code], r) for r in patient_relapses(patient)],
        "can_write": can_write_reviews(viewer),
        "kinds": ReviewKind.choices,
    }


register_chart_section(
    ChartSection(
        "reviews",
        "Follow-up reviews",
        "reviews/chart_section.html",
        35,
        frozenset(REVIEW_READ_ROLES),
        _reviews_context,
    )
)


def _relapse_banner(viewer, patient):
    """Clinical staff are told on every chart page when the scores point to a relapse."""
    if viewer.role not in REVIEW_READ_ROLES:
        return []
    return [
        {
            "level": "warning",
            "text": (
                f"Review due: possible relapse on {INSTRUMENTS[relapse.instrument_code].short_name}"
                f" ({relapse.text})."
            ),
            "url": reverse("patients:chart", args=[patient.public_id]) + "?section=reviews",
            "link_text": "Follow-up reviews",
        }
        for relapse in patient_relapse_flags(patient)
    ]


register_chart_banner(_relapse_banner)
