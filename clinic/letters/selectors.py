"""What a progress letter says, read from the record: the recipient (the patient's referring
provider), the indication and the plan, every session given (date, dose, route), the scores over
time with their chart, side effects and alerts, and the current plan. The signed letter keeps
this content as it was (`ProgressLetter.content`), so a later change to the record never changes a
letter already sent."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from clinic.assessments.selectors import patient_progress
from clinic.assessments.svg import progress_svg
from clinic.core.choices import Condition
from clinic.letters.models import ProgressLetter
from clinic.patients.selectors import visible_patients
from clinic.sessions.models import MonitoringAlert, SideEffect, TreatmentSession
from clinic.treatment.selectors import current_plan_version


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def recipient_of(patient) -> dict[str, str]:
    return {
        "name": patient.referring_provider_name,
        "practice": patient.referring_provider_practice,
        "address": patient.referring_provider_address,
        "fax": patient.referring_provider_fax,
        "email": patient.referring_provider_email,
        "phone": patient.referring_provider_phone,
    }


def _plan(version) -> dict | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "status": version.plan.get_status_display(),
        "route": version.get_route_display(),
        "protocol": version.protocol.name,
        "dose_mg": _plain(version.dose_mg),
        "induction_sessions": version.induction_sessions,
        "induction_sessions_per_week": version.induction_sessions_per_week,
        "maintenance_interval_days": version.maintenance_interval_days,
        "start_date": version.start_date.isoformat(),
        "target_outcomes": version.target_outcomes,
    }


def letter_content(patient, *, signer, next_steps: str, comment: str) -> dict:
    """The letter's content as JSON-ready values (strings, numbers, lists)."""
    zone = patient.location.zone
    version = current_plan_version(patient)
    sessions = list(
        TreatmentSession.objects.filter(patient=patient, dosed_at__isnull=False)
        .select_related("location")
        .order_by("dosed_at")
    )
    side_effects = (
        SideEffect.objects.filter(session__patient=patient)
        .select_related("session")
        .order_by("onset_at")
    )
    alerts = MonitoringAlert.objects.filter(session__patient=patient).order_by("raised_at")
    scores = []
    for progress in patient_progress(patient):
        instrument = progress.instrument
        scores.append(
            {
                "instrument": instrument.short_name,
                "name": instrument.name,
                "baseline": _plain(progress.baseline.total),
                "baseline_on": timezone.localtime(progress.baseline.taken_at, zone)
                .date()
                .isoformat(),
                "latest": _plain(progress.latest.total),
                "latest_on": timezone.localtime(progress.latest.taken_at, zone).date().isoformat(),
                "change_percent": _plain(progress.change_percent),
                "follow_up": progress.has_follow_up,
                "response": progress.response,
                "remission": progress.remission_status,
                "response_definition": instrument.outcome.response_definition,
                "points": [
                    [timezone.localtime(p.taken_at, zone).date().isoformat(), _plain(p.total)]
                    for p in progress.points
                ],
                "svg": progress_svg(progress)
                if instrument.charted and progress.has_follow_up
                else "",
            }
        )
    location = patient.location
    return {
        "recipient": recipient_of(patient),
        "patient": {
            "name": patient.legal_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "mrn": patient.mrn,
        },
        "location": {
            "name": location.name,
            "address": ", ".join(
                part
                for part in (
                    location.address_line1,
                    location.address_line2,
                    location.city,
                    f"{location.region} {location.postal_code}".strip(),
                )
                if part
            ),
            "phone": location.phone,
        },
        "indications": [
            Condition(code).label if code in Condition.values else code
            for code in (version.indications if version else patient.primary_conditions)
        ],
        "plan": _plan(version),
        "sessions": [
            {
                "date": timezone.localtime(s.dosed_at, zone).date().isoformat(),
                "dose_mg": _plain(s.dose_given_mg or s.dose_mg),
                "route": s.get_route_display(),
            }
            for s in sessions
        ],
        "scores": scores,
        "side_effects": [
            {
                "date": timezone.localtime(e.onset_at, zone).date().isoformat(),
                "kind": e.get_kind_display(),
                "severity": e.get_severity_display(),
                "outcome": e.get_outcome_display(),
            }
            for e in side_effects
        ],
        "alerts": [
            {
                "date": timezone.localtime(a.raised_at, zone).date().isoformat(),
                "message": a.message,
                "stop_level": a.stop_level,
            }
            for a in alerts
        ],
        "next_steps": next_steps,
        "comment": comment,
        "clinician": {"name": signer.full_name, "signature_name": signer.signature_name},
    }


def visible_letters(viewer):
    return ProgressLetter.objects.filter(patient__in=visible_patients(viewer))


def patient_letters(patient) -> list[ProgressLetter]:
    return list(
        ProgressLetter.objects.filter(patient=patient).select_related("signed_by", "sent_by")
    )


def letters_for_query(viewer, public_id):
    return (
        visible_letters(viewer)
        .filter(Q(public_id=public_id))
        .select_related("patient", "patient__location", "signed_by", "sent_by", "location")
        .first()
    )
