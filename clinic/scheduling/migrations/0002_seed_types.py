"""Seed appointment types and the scheduling policy (editable in the admin). Durations are clinic
policy; a treatment session covers dosing plus monitoring and recovery before discharge."""

from django.db import migrations

TYPES = [
    # code, name, kind, route, minutes, needs_room, staff_role, send_questionnaires, preparation, source
    ("consultation-call", "Consultation call", "consultation_call", "", 20, False, "front_desk", False, "", "Clinic policy"),
    ("evaluation", "Comprehensive evaluation", "evaluation", "", 90, True, "clinician", True,
     "Bring a list of your medicines and doses. Allow 90 minutes.", "Clinic policy"),
    ("iv-infusion", "IV ketamine infusion", "treatment", "iv", 120, True, "nurse", True,
     "Do not eat for 6 hours or drink for 2 hours before (clear fluids as instructed). Arrange an adult to take you home. "
     "No driving until the next day after a night's sleep.",
     "40-minute infusion (Sanacora 2017) plus monitoring and recovery before discharge [duration: clinic policy, UNVERIFIED]"),
    ("im-injection", "IM ketamine injection", "treatment", "im", 90, True, "nurse", True,
     "Do not eat for 6 hours before. Arrange an adult to take you home. No driving until the next day.", "Clinic policy [UNVERIFIED]"),
    ("esketamine", "Esketamine nasal spray session", "treatment", "intranasal", 150, True, "nurse", True,
     "No food for 2 hours and no liquids for 30 minutes before. Nasal steroid or decongestant sprays at least 1 hour before. "
     "Arrange an adult to take you home. No driving until the next day after restful sleep.",
     "Spravato label: observe at least 2 hours after dosing (Spravato US prescribing information, Dosage and Administration)"),
    ("oral-ketamine", "Oral or sublingual ketamine session", "treatment", "oral", 120, True, "nurse", True,
     "Do not eat for 4 hours before. Arrange an adult to take you home. No driving until the next day.", "Clinic policy [UNVERIFIED]"),
    ("follow-up", "Follow-up", "follow_up", "", 30, True, "clinician", True, "", "Clinic policy"),
    ("reassessment", "Reassessment", "reassessment", "", 60, True, "clinician", True, "", "Clinic policy"),
]


def seed(apps, schema_editor):
    AppointmentType = apps.get_model("scheduling", "AppointmentType")
    SchedulingPolicy = apps.get_model("scheduling", "SchedulingPolicy")
    SchedulingPolicy.objects.get_or_create(singleton=True)
    for code, name, kind, route, minutes, needs_room, role, questionnaires, preparation, source in TYPES:
        AppointmentType.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "kind": kind, "route": route, "duration_minutes": minutes, "needs_room": needs_room,
                "staff_role": role, "send_questionnaires": questionnaires, "preparation": preparation, "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
