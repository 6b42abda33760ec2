"""The instrument registry: every validated questionnaire the clinic uses, declared as data.

from clinic.assessments.instruments import get_instrument
result = get_instrument("phq9").score([1, 2, 0, 3, 1, 0, 2, 1, 0])
result.total, result.severity, result.subscales, result.flags
"""

from clinic.assessments.instruments.asrm import ASRM
from clinic.assessments.instruments.base import AnswerError, Instrument, ScoreResult
from clinic.assessments.instruments.cadss6 import CADSS6
from clinic.assessments.instruments.cssrs import CSSRS_SCREEN
from clinic.assessments.instruments.gad7 import GAD7
from clinic.assessments.instruments.madrs import MADRS
from clinic.assessments.instruments.mdq import MDQ
from clinic.assessments.instruments.pain import BPI_SF, PAIN_NRS
from clinic.assessments.instruments.pcl5 import PCL5
from clinic.assessments.instruments.phq9 import PHQ9
from clinic.assessments.instruments.qids import QIDS_SR16
from clinic.assessments.instruments.ybocs import YBOCS

INSTRUMENTS: dict[str, Instrument] = {
    instrument.code: instrument
    for instrument in (
        PHQ9,
        QIDS_SR16,
        MADRS,
        GAD7,
        PCL5,
        PAIN_NRS,
        BPI_SF,
        YBOCS,
        MDQ,
        ASRM,
        CSSRS_SCREEN,
        CADSS6,
    )
}
# The dissociation scale rated after ketamine dosing (see cadss6.py for why this one).
DISSOCIATION_SCALE = CADSS6.code


def get_instrument(code: str) -> Instrument:
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise KeyError(
            f"No instrument with code {code!r}; known: {', '.join(INSTRUMENTS)}"
        ) from None


def all_instruments() -> list[Instrument]:
    return list(INSTRUMENTS.values())


__all__ = [
    "DISSOCIATION_SCALE",
    "INSTRUMENTS",
    "AnswerError",
    "Instrument",
    "ScoreResult",
    "all_instruments",
    "get_instrument",
]
