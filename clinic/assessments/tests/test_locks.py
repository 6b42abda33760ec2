from __future__ import annotations

import uuid

import pytest

from clinic.assessments.locks import (
    lock_open_side_effect_checks_of,
    lock_questionnaire_request,
    lock_response,
    lock_response_to,
    lock_safety_alert,
    lock_side_effect_check,
    lock_side_effect_check_to_notify,
    lock_side_effect_report,
    lock_side_effect_report_sent_as,
)
from clinic.core.tests.locking import assert_locks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("helper", "table"),
    [
        (lambda: lock_questionnaire_request(0), "assessments_questionnairerequest"),
        (lambda: lock_response(0), "assessments_assessmentresponse"),
        (lambda: lock_response_to(0, "phq9"), "assessments_assessmentresponse"),
        (lambda: lock_safety_alert(0), "assessments_safetyalert"),
        (lambda: lock_side_effect_report(0), "assessments_sideeffectreport"),
        (
            lambda: lock_side_effect_report_sent_as(0, str(uuid.uuid4())),
            "assessments_sideeffectreport",
        ),
        (lambda: lock_side_effect_check(0), "assessments_sideeffectcheck"),
        (lambda: lock_side_effect_check_to_notify(0), "assessments_sideeffectcheck"),
    ],
)
def test_each_one_row_helper_locks_its_row(helper, table):
    assert_locks(helper, table)


def test_the_patient_s_open_checks_are_locked_in_primary_key_order():
    assert_locks(
        lambda: lock_open_side_effect_checks_of(0), "assessments_sideeffectcheck", pk_ordered=True
    )
