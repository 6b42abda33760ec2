"""Response and remission are read for every instrument in one grouped query: each instrument's
own rules must apply to its own rows only. Two instruments with different kinds of rule (PHQ-9:
a 50 % reduction, remission below 5; PCL-5: a drop of 10 points, remission below 33 only with a
response) over scores chosen so that either rule applied to the other's rows gives another
answer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.outcomes.models import CourseSummary, OutcomeScore
from clinic.outcomes.selectors import OutcomeFilters, response_at_session_6
from clinic.patients.tests.factories import register_test_patient
from clinic.treatment.models import ProtocolTemplate

# (instrument, baseline, score after the sixth dose, responds, in remission)
SERIES = [
    # 24 → 13: 11 points down (a responder by the PCL-5 rule), not half (PHQ-9: no).
    ("phq9", 24, 13, False, False),
    # 20 → 4: half and below 5.
    ("phq9", 20, 4, True, True),
    # 60 → 45: 15 points down (PCL-5: responds), not half (the PHQ-9 rule would say no).
    ("pcl5", 60, 45, True, False),
    # 40 → 32: below 33 but only 8 points down: no response, so no remission for PCL-5.
    ("pcl5", 40, 32, False, False),
    # 60 → 30: responds and below 33.
    ("pcl5", 60, 30, True, True),
]


@pytest.mark.django_db
def test_each_instrument_is_read_by_its_own_rules(clinician, location):
    protocol = ProtocolTemplate.objects.order_by("pk").first()
    dosed_at = timezone.now() - timedelta(days=10)
    for n, (code, baseline, score, _responds, _remits) in enumerate(SERIES):
        patient = register_test_patient(
            actor=clinician, location=location, first_name=f"Rule{n}", last_name="Known"
        )
        course = CourseSummary.objects.create(
            patient=patient,
            location=location,
            dosed_sessions=6,
            first_dose_at=dosed_at - timedelta(days=14),
            first_dose_protocol=protocol,
            first_dose_route=protocol.route,
            outcome_dose_at=dosed_at,
            outcome_dose_protocol=protocol,
            outcome_dose_route=protocol.route,
        )
        OutcomeScore.objects.create(
            course=course,
            patient=patient,
            instrument_code=code,
            baseline_total=Decimal(baseline),
            score_after_outcome_dose=Decimal(score),
        )

    rows = {row.instrument: row for row in response_at_session_6(OutcomeFilters())}

    assert set(rows) == {"phq9", "pcl5"}
    for code, row in rows.items():
        own = [s for s in SERIES if s[0] == code]
        assert row.patients == row.assessed == len(own)
        assert row.responders == sum(s[3] for s in own)
        assert row.remitters == sum(s[4] for s in own)
    # Remission is counted only where the baseline was at or above the cut-off.
    assert rows["phq9"].remission_eligible == 2
    assert rows["pcl5"].remission_eligible == 3
    # Median change from baseline of each instrument's own rows.
    assert rows["phq9"].median_change == Decimal("-13.5")
    assert rows["pcl5"].median_change == Decimal("-15.0")
