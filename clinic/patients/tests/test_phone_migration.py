"""The data migration that rewrote the numbers typed before E.164 storage."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from clinic.patients.models import Patient
from clinic.patients.tests.factories import register_test_patient

migration = importlib.import_module("clinic.patients.migrations.0007_phone_numbers_e164")


@pytest.mark.django_db
def test_old_numbers_become_e164_and_what_is_not_a_number_is_kept(clinician, location):
    patient = register_test_patient(actor=clinician, location=location)
    # As rows written before the change hold them (raw SQL: the field would store E.164).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE patients_patient SET phone = %s, emergency_contact_phone = %s WHERE id = %s",
            ["(617) 555-0142", "555-01", patient.pk],
        )
    migration.to_e164(apps, None)
    row = Patient.objects.values("phone", "emergency_contact_phone").get(pk=patient.pk)
    assert row == {"phone": "+16175550142", "emergency_contact_phone": "555-01"}
