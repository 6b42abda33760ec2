"""Where a patient stands in their course of care, derived from what happened: pure rules, no
database."""

from __future__ import annotations

from clinic.patients.choices import CourseEvent, PatientStatus

_P = PatientStatus

# Each event, and the status it moves each status to (a status not listed stays as it is).
# [UNVERIFIED: clinic policy] No guideline fixes these stages: they follow the statuses' own
# definitions (clinic.patients.choices.PatientStatus) and the path of care the clinic runs
# (evaluation → plan → induction → maintenance; the APA consensus statement on ketamine for mood
# disorders, Sanacora et al., JAMA Psychiatry 2017;74:399, describes induction then maintenance).
_MOVES: dict[CourseEvent, dict[PatientStatus, PatientStatus]] = {
    # Opening an evaluation of a discharged patient is the re-referral that the status changes
    # allow by hand (discharged → in evaluation): a clinician's deliberate act, not a late entry.
    CourseEvent.EVALUATION_STARTED: {
        _P.PROSPECTIVE: _P.IN_EVALUATION,
        _P.DISCHARGED: _P.IN_EVALUATION,
    },
    # Whatever the decision: an unsuitable patient is discharged by a clinician, with the reason.
    CourseEvent.EVALUATION_SIGNED: {_P.PROSPECTIVE: _P.IN_EVALUATION},
    CourseEvent.PLAN_SIGNED: {_P.PROSPECTIVE: _P.IN_EVALUATION},
    # A first dose starts active treatment; a dose in maintenance is a maintenance session.
    CourseEvent.SESSION_DOSED: {_P.PROSPECTIVE: _P.ACTIVE, _P.IN_EVALUATION: _P.ACTIVE},
    CourseEvent.MAINTENANCE_STARTED: {_P.ACTIVE: _P.MAINTENANCE},
    CourseEvent.COURSE_ENDED: {
        _P.PROSPECTIVE: _P.DISCHARGED,
        _P.IN_EVALUATION: _P.DISCHARGED,
        _P.ACTIVE: _P.DISCHARGED,
        _P.MAINTENANCE: _P.DISCHARGED,
    },
}


def status_after_course_event(current: str, event: str) -> PatientStatus:
    """The patient's status once `event` has happened to a patient who is `current`.

    A discharged patient stays discharged after every event but a new evaluation: a dose or a
    plan recorded late (a session entered after the discharge, a plan signed the same day) does
    not silently make them active again; a clinician re-refers them by opening an evaluation or
    by changing the status by hand, with the reason. Otherwise the course moves forward only: a
    late evaluation or plan never moves an active or maintenance patient back."""
    status = PatientStatus(current)
    return _MOVES[CourseEvent(event)].get(status, status)
