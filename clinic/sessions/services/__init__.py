"""Every write of a treatment session, one module per stage of the session. Each service checks the
actor's role and the patient's location, locks the session row, refuses writes to a signed record,
and audits in the same transaction. Entries (readings, events, side effects) are rows of their own,
so two members of staff recording at once both keep what they entered.

Callers import from here (`from clinic.sessions import services`); the modules are the seams:

- `preparation`: opening the session, the checklist, gate overrides, stopping before a dose;
- `readings`: vital-sign readings from the tablet or a monitor, and their alerts;
- `dose`: confirmation, the second person's verification, the dose given, infusion events;
- `entries`: side effects and interventions, medication, the dissociation rating;
- `discharge`: discharge when the data allow it;
- `signing`: the signed content, signatures, the lock and addenda;
- `rems`: the esketamine REMS Patient Monitoring Form's submission.
"""

from clinic.sessions.services._common import BACKDATE_LIMIT, CHANGED_SINCE_OPENED
from clinic.sessions.services.discharge import DischargeResult, discharge
from clinic.sessions.services.dose import (
    confirm_dose,
    record_infusion_event,
    verify_dose,
    withdraw_dose_confirmation,
)
from clinic.sessions.services.entries import (
    rate_dissociation,
    record_medication,
    record_side_effect,
)
from clinic.sessions.services.preparation import (
    CHECKLIST_FIELDS,
    override_gate,
    start_session,
    start_session_from_board,
    stop_before_dosing,
    update_checklist,
)
from clinic.sessions.services.readings import (
    DeviceReading,
    ReadingOutcome,
    acknowledge_alert,
    ingest_device_readings,
    record_alert_action,
    record_reading,
)
from clinic.sessions.services.rems import record_rems_submission
from clinic.sessions.services.signing import (
    add_addendum,
    session_addendum_content,
    session_content,
    sign_session,
)

__all__ = [
    "BACKDATE_LIMIT",
    "CHANGED_SINCE_OPENED",
    "CHECKLIST_FIELDS",
    "DeviceReading",
    "DischargeResult",
    "ReadingOutcome",
    "acknowledge_alert",
    "add_addendum",
    "confirm_dose",
    "discharge",
    "ingest_device_readings",
    "override_gate",
    "rate_dissociation",
    "record_alert_action",
    "record_infusion_event",
    "record_medication",
    "record_reading",
    "record_rems_submission",
    "record_side_effect",
    "session_addendum_content",
    "session_content",
    "sign_session",
    "start_session",
    "start_session_from_board",
    "stop_before_dosing",
    "update_checklist",
    "verify_dose",
    "withdraw_dose_confirmation",
]
