from clinic.accounts.choices import Role

QUEUE_ROLES = frozenset({Role.FRONT_DESK, Role.CLINICIAN, Role.MEDICAL_DIRECTOR})


def can_work_consultation_queue(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in QUEUE_ROLES
