"""Who may send, answer, read and act on questionnaires."""

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES, Role

# Front desk sends questionnaires (logistics) but sees no answers or scores.
SEND_ROLES = CLINICAL_ROLES | {Role.FRONT_DESK}
RESULT_ROLES = CLINICAL_ROLES
# Who may hand the clinic tablet to a patient to answer: the tablet shows the answers as they are
# given (and those saved so far), so only those who may see answers.
TABLET_ROLES = RESULT_ROLES
RESOLVE_ROLES = PRESCRIBER_ROLES
# Who may record an attempt to reach the patient about an open alert (the alert stays open): all
# who see alerts, and the front desk, whom a clinician often asks to phone the patient. The front
# desk sees only the contact sheet (who to call, how urgent, the calls so far), never the answers
# or the reason behind the alert.
CONTACT_ROLES = RESULT_ROLES | {Role.FRONT_DESK}


def can_view_results(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in RESULT_ROLES


def can_record_alert_contact(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in CONTACT_ROLES


def can_resolve_safety_alerts(user) -> bool:
    """Only a prescriber closes an alert: it needs a clinical judgement of risk."""
    return user.is_authenticated and user.is_active and user.role in RESOLVE_ROLES
