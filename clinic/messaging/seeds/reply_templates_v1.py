"""The reply templates a new clinic starts with, as migration 0002 seeded them.

Frozen: a migration that has shipped means the same thing forever, so this module is never
edited; a later change is a new module and a new migration (clinic/<app>/seeds/ holds every
app's seed data, imported at the top of the migration that writes it)."""

TEMPLATES = [
    (
        "Appointment changed",
        "appointments",
        "Thank you for your message. We have changed your appointment; you will find the new time "
        "under Appointments in the portal, and a reminder will come before it.",
    ),
    (
        "Please call us",
        "",
        "Thank you for your message. This is easier to sort out by phone: please call the clinic "
        "during opening hours and we will help you straight away.",
    ),
    (
        "Billing: we are looking into it",
        "billing",
        "Thank you for your message. We are checking your account and will write back within two "
        "working days.",
    ),
    (
        "Side effect: thank you for telling us",
        "side_effects",
        "Thank you for telling us. A clinician has read your message. If it gets worse, or you "
        "have new symptoms, call the clinic; in an emergency call 911.",
    ),
]
