from __future__ import annotations

import itertools
from datetime import date

from clinic.intake.models import ConsultationRequest
from clinic.intake.services import submit_consultation_request

_sequence = itertools.count(1)


def request_data(**overrides) -> dict:
    n = next(_sequence)
    data = {
        "first_name": "Riley",
        "last_name": f"Request{n}",
        "preferred_name": "",
        "date_of_birth": date(1990, 6, 1),
        "email": f"riley{n}@example.com",
        "phone": "(617) 555-0142",
        "preferred_contact_method": "phone",
        "preferred_contact_times": ["morning"],
        "conditions": ["trd", "anxiety"],
        "other_condition": "",
        "treatments_tried": "Sertraline, then venlafaxine.",
        "message": "My psychiatrist suggested ketamine.",
        "consent_to_contact": True,
    }
    data.update(overrides)
    return data


def submit_test_request(*, location, **overrides) -> ConsultationRequest:
    return submit_consultation_request(
        data=request_data(**overrides), location=location, ip_address="127.0.0.1"
    )
