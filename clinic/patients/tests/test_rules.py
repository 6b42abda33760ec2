"""The patient's status follows the course of care: one pure rule, event by event."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.patients.choices import CourseEvent, PatientStatus
from clinic.patients.rules import status_after_course_event

P, E = PatientStatus, CourseEvent

ORDER = [P.PROSPECTIVE, P.IN_EVALUATION, P.ACTIVE, P.MAINTENANCE, P.DISCHARGED]


@pytest.mark.parametrize(
    ("current", "event", "after"),
    [
        (P.PROSPECTIVE, E.EVALUATION_STARTED, P.IN_EVALUATION),
        (P.IN_EVALUATION, E.EVALUATION_STARTED, P.IN_EVALUATION),
        (P.DISCHARGED, E.EVALUATION_STARTED, P.IN_EVALUATION),
        (P.ACTIVE, E.EVALUATION_STARTED, P.ACTIVE),
        (P.PROSPECTIVE, E.EVALUATION_SIGNED, P.IN_EVALUATION),
        (P.IN_EVALUATION, E.EVALUATION_SIGNED, P.IN_EVALUATION),
        (P.PROSPECTIVE, E.PLAN_SIGNED, P.IN_EVALUATION),
        (P.ACTIVE, E.PLAN_SIGNED, P.ACTIVE),
        (P.IN_EVALUATION, E.SESSION_DOSED, P.ACTIVE),
        (P.ACTIVE, E.SESSION_DOSED, P.ACTIVE),
        (P.MAINTENANCE, E.SESSION_DOSED, P.MAINTENANCE),
        (P.DISCHARGED, E.SESSION_DOSED, P.DISCHARGED),
        (P.ACTIVE, E.MAINTENANCE_STARTED, P.MAINTENANCE),
        (P.IN_EVALUATION, E.MAINTENANCE_STARTED, P.IN_EVALUATION),
        (P.ACTIVE, E.COURSE_ENDED, P.DISCHARGED),
        (P.MAINTENANCE, E.COURSE_ENDED, P.DISCHARGED),
        (P.DISCHARGED, E.COURSE_ENDED, P.DISCHARGED),
    ],
)
def test_each_event_moves_the_status_as_the_course_goes(current, event, after):
    assert status_after_course_event(current, event) == after


@given(event=st.sampled_from(list(E)))
def test_a_discharged_patient_is_never_made_active_again_by_an_event(event):
    assert status_after_course_event(P.DISCHARGED, event) in {P.DISCHARGED, P.IN_EVALUATION}


@given(current=st.sampled_from(list(P)), event=st.sampled_from(list(E)))
def test_the_course_only_moves_forward_except_a_new_evaluation_after_discharge(current, event):
    after = status_after_course_event(current, event)
    if current == P.DISCHARGED:
        return
    assert ORDER.index(after) >= ORDER.index(current)


@given(current=st.sampled_from(list(P)), event=st.sampled_from(list(E)))
def test_the_same_event_twice_changes_nothing_more(current, event):
    once = status_after_course_event(current, event)
    assert status_after_course_event(once, event) == once
