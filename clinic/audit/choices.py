from django.db import models


class AuditEventType(models.IntegerChoices):
    """What happened. Grouped in numeric ranges per domain (as Zulip's RealmAuditLog does), so a
    range query finds a whole domain and new domains take the next free hundred."""

    # 100–199: accounts and sign-in
    LOGIN_SUCCEEDED = 100, "Signed in"
    LOGIN_FAILED = 101, "Sign-in failed"
    LOGOUT = 102, "Signed out"
    LOGIN_LOCKED_OUT = 103, "Sign-in locked out"
    TWO_FACTOR_VERIFIED = 110, "Two-factor code accepted"
    TWO_FACTOR_FAILED = 111, "Two-factor code rejected"
    TWO_FACTOR_ENROLLED = 112, "Two-factor device set up"
    TWO_FACTOR_RESET = 113, "Two-factor device reset"
    TWO_FACTOR_CODE_ISSUED = 114, "Two-factor enrolment code issued"
    TWO_FACTOR_CODE_USED = 115, "Two-factor enrolment code used"
    TWO_FACTOR_CODE_FAILED = 116, "Two-factor enrolment code refused"
    SESSION_EXPIRED = 120, "Session expired"
    USER_CREATED = 150, "Account created"
    USER_UPDATED = 151, "Account changed"
    USER_DEACTIVATED = 152, "Account deactivated"
    USER_REACTIVATED = 153, "Account reactivated"
    PASSWORD_SET = 154, "Password set"
    PORTAL_INVITED = 155, "Patient invited to the portal"

    # 200–299: consultation requests
    CONSULTATION_SUBMITTED = 200, "Consultation request submitted"
    CONSULTATION_VIEWED = 201, "Consultation request viewed"
    CONSULTATION_QUEUE_VIEWED = 202, "Consultation queue viewed"
    CONSULTATION_STATUS_CHANGED = 203, "Consultation request status changed"
    CONSULTATION_NOTE_ADDED = 204, "Note added to consultation request"
    CONSULTATION_CONVERTED = 205, "Consultation request converted to patient"
    CONSULTATION_DECLINED = 206, "Consultation request declined"

    # 300–399: the patient record
    PATIENT_CREATED = 300, "Patient record created"
    PATIENT_UPDATED = 301, "Patient record changed"
    PATIENT_STATUS_CHANGED = 302, "Patient status changed"
    PATIENT_CHART_VIEWED = 310, "Patient chart viewed"
    PATIENT_LIST_VIEWED = 311, "Patient list viewed"
    PATIENT_RECORD_EXPORTED = 312, "Patient record exported"
    VITAL_SIGNS_RECORDED = 320, "Vital signs recorded"
    GUARDIAN_ADDED = 330, "Guardian added to a patient"
    GUARDIAN_CHANGED = 331, "Guardian details changed or guardianship ended"
    GUARDIAN_INVITED = 332, "Guardian invited to the portal"
    PATIENT_SETTINGS_CHANGED = 333, "Registration and guardian settings changed"

    # 400–499: assessments and safety
    QUESTIONNAIRES_SENT = 400, "Questionnaires sent to patient"
    QUESTIONNAIRE_OPENED = 401, "Questionnaire link opened"
    ANSWER_SAVED = 402, "Questionnaire answer saved"
    RESPONSE_COMPLETED = 403, "Questionnaire completed"
    RESPONSE_ENTERED_BY_STAFF = 404, "Questionnaire entered by staff"
    RESPONSE_ENTERED_IN_ERROR = 405, "Questionnaire marked entered in error"
    QUESTIONNAIRES_CANCELLED = 406, "Questionnaire request cancelled"
    # Staff opening the patient's own link: their answers would be recorded as the patient's.
    QUESTIONNAIRE_LINK_REFUSED = 407, "Questionnaire link refused to signed-in staff"
    QUESTIONNAIRE_TABLET_HANDED_OVER = 408, "Clinic tablet handed to the patient for questionnaires"
    SAFETY_ALERT_RAISED = 410, "Urgent safety alert raised"
    SAFETY_ALERT_RESOLVED = 411, "Safety alert resolved"
    CLINICAL_DASHBOARD_VIEWED = 420, "Clinical dashboard viewed"
    ASSESSMENT_SETTINGS_CHANGED = 430, "Assessment settings changed"
    SIDE_EFFECT_REPORTED = 440, "Side effect reported by the patient"
    SIDE_EFFECT_REPORT_VIEWED = 441, "Side-effect report viewed"
    SIDE_EFFECT_REPORT_REVIEWED = 442, "Side-effect report reviewed"
    SIDE_EFFECT_CHECK_SENT = 443, "Side-effect check sent to the patient"
    SIDE_EFFECT_CHECK_ANSWERED = 444, "Side-effect check answered by the patient"

    # 500–599: evaluation, consent and treatment plans
    EVALUATION_STARTED = 500, "Evaluation started"
    EVALUATION_UPDATED = 501, "Evaluation changed"
    EVALUATION_SIGNED = 502, "Evaluation and suitability decision signed"
    EVALUATION_ADDENDUM = 503, "Addendum to a signed record"
    SIGNATURE_FAILED = 504, "Signature refused (wrong password)"
    EVALUATION_VIEWED = 505, "Evaluation viewed"
    MEDICINE_LIST_RECORDED = 506, "Medicine list recorded"
    CONSENT_SIGNED = 510, "Consent signed"
    CONSENT_DOCUMENT_PUBLISHED = 511, "Consent document published"
    CONSENT_FORM_VIEWED = 512, "Consent form opened for signing"
    EDUCATION_PAGE_PUBLISHED = 513, "Education page published"
    EDUCATION_PAGE_OPENED = 514, "Education page opened by the patient"
    PLAN_VERSION_SIGNED = 520, "Treatment plan version signed"
    PLAN_ENDED = 521, "Treatment plan ended"
    PLAN_VIEWED = 522, "Treatment plan page viewed"
    PLAN_DRAFT_OPENED = 523, "Next plan version drafted (to check and sign)"
    PLAN_DRAFT_SET_ASIDE = 524, "Drafted plan version set aside"
    PROTOCOL_CHANGED = 530, "Protocol or screening rules changed"
    REMS_SETTING_CERTIFIED = 535, "Esketamine REMS setting certification recorded"
    REMS_PATIENT_ENROLLED = 536, "Esketamine REMS patient enrolment recorded"
    REVIEW_OPENED = 540, "Follow-up review opened"
    REVIEW_UPDATED = 541, "Follow-up review changed"
    REVIEW_SIGNED = 542, "Follow-up review and decision signed"
    REVIEW_ADDENDUM = 543, "Addendum to a signed follow-up review"
    REVIEW_VIEWED = 544, "Follow-up review viewed"
    REVIEW_SETTINGS_CHANGED = 545, "Follow-up review settings changed"

    # 600–699: scheduling
    APPOINTMENT_BOOKED = 600, "Appointment booked"
    APPOINTMENT_CHANGED = 601, "Appointment changed"
    APPOINTMENT_CANCELLED = 602, "Appointment cancelled"
    REMINDER_SENT = 603, "Appointment reminder sent"
    CALENDAR_VIEWED = 604, "Calendar viewed"
    CALENDAR_FEED_CHANGED = 605, "Calendar feed link created or revoked"
    CHECK_IN_OPENED = 606, "Pre-visit check-in link opened"

    # 700–799: treatment sessions and monitoring
    SESSION_STARTED = 700, "Treatment session started"
    SESSION_VIEWED = 701, "Treatment session viewed"
    SESSION_CHECKLIST_UPDATED = 702, "Session checklist updated"
    SESSION_GATE_OVERRIDDEN = 703, "Session gate overridden by a clinician"
    SESSION_READING_RECORDED = 704, "Session vital signs recorded"
    SESSION_ALERT_RAISED = 705, "Vital-sign alert raised"
    SESSION_ALERT_ACKNOWLEDGED = 706, "Vital-sign alert acknowledged"
    SESSION_DOSE_CONFIRMED = 707, "Dose confirmed"
    SESSION_DOSE_VERIFIED = 708, "Dose verified by a second person"
    SESSION_INFUSION_EVENT = 709, "Dose given or infusion changed"
    SESSION_SIDE_EFFECT = 710, "Side effect recorded"
    SESSION_MEDICATION_GIVEN = 711, "Medication given in a session"
    SESSION_DISSOCIATION_RATED = 712, "Dissociation rated"
    SESSION_DISCHARGE_REFUSED = 713, "Discharge refused (criteria not met)"
    SESSION_DISCHARGED = 714, "Patient discharged from the session"
    SESSION_SIGNED = 715, "Session record signed"
    SESSION_ADDENDUM = 716, "Addendum to a signed session"
    SESSION_NOT_DONE = 717, "Session stopped before dosing"
    SESSION_BOARD_VIEWED = 718, "Sessions board viewed"
    SESSION_ALERT_ACTION_RECORDED = (
        719,
        "Action recorded on a stop-level alert (a prescriber closes it)",
    )
    REMS_FORM_REQUESTED = 723, "REMS Patient Monitoring Form drawn or downloaded"
    REMS_FORM_SUBMITTED = 724, "REMS Patient Monitoring Form submission recorded"
    DEVICE_CHANGED = 720, "Monitor device issued or revoked"
    DEVICE_AUTH_FAILED = 721, "Monitor device refused"
    DEVICE_ACCESS_DENIED = 722, "Monitor posted to a session it may not reach"

    # 1100–1199: progress letters to the referring provider
    LETTER_SIGNED = 1100, "Progress letter signed"
    LETTER_SENT = 1101, "Progress letter recorded as sent"
    LETTER_VIEWED = 1102, "Progress letter viewed, drawn or downloaded"

    # 1400–1499: outcomes and retention (aggregate figures, with the filter used)
    OUTCOMES_VIEWED = 1400, "Outcomes and retention viewed"
    OUTCOMES_EXPORTED = 1401, "Outcomes table exported as CSV"
    DROP_OFF_LIST_VIEWED = 1402, "Drop-off list viewed"
    OUTREACH_RECORDED = 1403, "Outreach to a patient recorded"

    # 1500–1599: the front desk's day (patients' change requests, the waitlist and its offers)
    CHANGE_REQUESTS_VIEWED = 1500, "Patients' change requests listed"
    CHANGE_REQUEST_DECLINED = 1501, "Patient's change request declined"
    WAITLIST_VIEWED = 1502, "Waitlist viewed"
    WAITLIST_ENTRY_ADDED = 1503, "Patient put on the waitlist"
    WAITLIST_ENTRY_REMOVED = 1504, "Patient taken off the waitlist"
    WAITLIST_OFFER_MADE = 1505, "Freed time offered from the waitlist"
    WAITLIST_OFFER_ANSWERED = 1506, "Waitlist offer accepted or declined"
    WAITLIST_OFFER_EXPIRED = 1507, "Waitlist offer expired or withdrawn"
    # Written by the waitlist job (no person acts): the entry's whole date range had passed.
    WAITLIST_ENTRY_EXPIRED = 1508, "Waitlist entry closed: its dates passed"

    # 1000–1099: the controlled-substance register
    STOCK_RECEIVED = 1000, "Controlled stock received"
    STOCK_DISPENSED = 1001, "Controlled stock drawn for a session"
    STOCK_ADMINISTERED = 1002, "Controlled stock administered"
    STOCK_WASTED = 1003, "Controlled stock wasted"
    STOCK_RETURNED = 1004, "Controlled stock returned to supplier"
    STOCK_DESTROYED = 1005, "Controlled stock destroyed"
    STOCK_ADJUSTED = 1006, "Controlled stock adjusted after a count"
    STOCK_MOVEMENT_REVERSED = 1007, "Register entry reversed"
    STOCK_COUNTED = 1010, "Safe counted"
    STOCK_DISCREPANCY_RESOLVED = 1011, "Count discrepancy resolved"
    # A second person's password refused when witnessing (receipt, waste, count, destruction).
    STOCK_WITNESS_FAILED = 1012, "Witness password refused"
    # Every look at the ledger, its balances and its reports (and their CSV exports).
    STOCK_REGISTER_VIEWED = 1020, "Controlled-substance register viewed"
    STOCK_REGISTER_EXPORTED = 1021, "Controlled-substance register exported"
    STOCK_LABEL_PRINTED = 1022, "Container label printed"
    INVENTORY_SETTINGS_CHANGED = 1030, "Register settings, safes or products changed"

    # 1200–1299: messages between visits (clinic.messaging)
    MESSAGE_WRITTEN = 1200, "Message written"
    CONVERSATION_VIEWED = 1201, "Conversation opened"
    CONVERSATIONS_LISTED = 1202, "Conversations listed (inbox or portal)"
    CONVERSATION_ASSIGNED = 1203, "Conversation assigned"
    CONVERSATION_CLOSED = 1204, "Conversation marked done or reopened"
    # A "reply waiting" e-mail or text handed to the mail server or SMS provider (or refused).
    MESSAGE_NOTICE_SENT = 1205, "Message notice sent"
    SMS_PREFERENCE_CHANGED = 1206, "Text-message preference changed"
    # A patient texted STOP (or another opt-out word) to the clinic's number.
    SMS_OPT_OUT_RECEIVED = 1207, "Text-message opt-out received"
    MESSAGING_SETTINGS_CHANGED = 1208, "Messaging settings or reply templates changed"

    # 1300–1399: FHIR interoperability (the API and the bulk export)
    FHIR_TOKEN_CHANGED = 1300, "FHIR API token issued or revoked"
    # Every answer of the FHIR API that holds a patient's data (one row per request).
    FHIR_READ = 1301, "Record read through the FHIR API"
    FHIR_TOKEN_REFUSED = 1302, "FHIR API token refused"
    FHIR_EXPORTED = 1303, "Whole clinic exported as FHIR (bulk)"

    # 1600–1699: the medical director's configuration pages (clinic.configuration)
    CONFIGURATION_DRAFT_SAVED = 1600, "Configuration draft saved"
    CONFIGURATION_REVIEWED = 1601, "Configuration draft reviewed"
    CONFIGURATION_PUBLISHED = 1602, "Configuration change published"
    CONFIGURATION_DISCARDED = 1603, "Configuration draft discarded"
    # An UNVERIFIED clinic-policy value reviewed and accepted for this clinic.
    CLINIC_POLICY_ACCEPTED = 1610, "Clinic-policy value accepted"
    # A new draft version of a consent document or an education page written or edited (its
    # publication is the evaluation app's CONSENT_DOCUMENT_PUBLISHED / EDUCATION_PAGE_PUBLISHED).
    DOCUMENT_VERSION_DRAFTED = 1620, "Consent or education page draft version written"
    # A draft version of a consent document or an education page thrown away before publishing.
    DOCUMENT_VERSION_DISCARDED = 1621, "Consent or education page draft version discarded"
    # A draft version of the contraindication screening rules made, or one of its rules written
    # or removed (its publication is the evaluation app's PROTOCOL_CHANGED).
    SCREENING_RULES_DRAFTED = 1630, "Screening rules draft version changed"
    # A draft version of the screening rules thrown away before publishing, with its rules.
    SCREENING_RULES_DISCARDED = 1631, "Screening rules draft version discarded"

    # 1700–1799: everyday work at the desk and the chair
    # The registration form's live check for a patient already on record (name and birth date).
    POSSIBLE_DUPLICATES_CHECKED = 1700, "Checked for an existing record of a new patient"
    SAFETY_ALERT_CONTACT_RECORDED = 1701, "Contact attempt recorded on a safety alert"
    # Written with the event that moved the patient on (evaluation signed, first dose, …).
    PATIENT_STATUS_FOLLOWED_CARE = 1702, "Patient status changed by the course of care"
    # The open safety alerts a member of staff may phone patients about, listed with names and
    # phone numbers only (the front desk's list and dashboard panel, and its urgent-alert poll).
    SAFETY_ALERTS_TO_CONTACT_LISTED = 1703, "Safety alerts to contact listed"

    # 900–999: the audit log itself and configuration
    AUDIT_LOG_VIEWED = 900, "Audit log viewed"
    AUDIT_LOG_EXPORTED = 903, "Audit log exported as CSV"
    # A signed-in person was refused a page or an API answer (403, or 404 for a record they may
    # not know of); written by the role gate or, for every other refusal, by the refusal
    # middleware (clinic.audit.middleware).
    PAGE_ACCESS_DENIED = 901, "Page access denied"
    # A link or token that opens nothing (questionnaire, check-in, calendar feed): one row per
    # address per minute, with the refusals not written since the last row counted in it.
    TOKEN_REFUSED = 902, "Link or token refused"
    ORGANISATION_CHANGED = 909, "Organisation changed"
    # A signed record was shown (or checked) while it no longer matched its signature.
    RECORD_SEAL_BROKEN = 920, "Signed record does not match its signature"
    # `manage.py verify_records` ran: every signed record and the audit chain were checked.
    RECORDS_VERIFIED = 921, "Signed records and audit chain verified"
    LOCATION_CHANGED = 910, "Location changed"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Succeeded"
    # The actor was not allowed: a refused attempt is evidence too.
    DENIED = "denied", "Denied"
    FAILED = "failed", "Failed"
