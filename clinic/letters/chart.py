"""The chart's "Letters" section: the progress letters to the referring provider."""

from clinic.letters import selectors
from clinic.letters.permissions import LETTER_READ_ROLES, can_write_letters
from clinic.patients.chart import ChartSection, register_chart_section


def _letters_context(viewer, patient):
    return {
        "letters": selectors.patient_letters(patient),
        "can_write": can_write_letters(viewer),
        "recipient": selectors.recipient_of(patient),
    }


register_chart_section(
    ChartSection(
        "letters",
        "Letters",
        "letters/chart_section.html",
        60,
        frozenset(LETTER_READ_ROLES),
        _letters_context,
    )
)
