from __future__ import annotations

import uuid

from clinic.messaging import services


def patient_writes(patient, *, topic="appointments", body="Can I move Tuesday's visit?"):
    """A conversation the patient started, with its first message (returns the message)."""
    return services.start_conversation(
        actor=patient.user, patient=patient, topic=topic, body=body, submit_key=uuid.uuid4()
    )


def reply(actor, conversation, body="Yes, we have moved it to Thursday at 10."):
    return services.write_message(
        actor=actor, conversation=conversation, body=body, submit_key=uuid.uuid4()
    )
