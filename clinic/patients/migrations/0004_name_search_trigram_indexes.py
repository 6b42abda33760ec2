"""Trigram indexes for the patient search on PostgreSQL.

The search matches each typed word anywhere in the first, last or preferred name
(`icontains`, which Django writes as `UPPER(column::text) LIKE UPPER('%word%')`). A B-tree index
cannot answer a match in the middle of a name, so without these every search reads every patient.
A GIN index of trigrams (`pg_trgm`, shipped with PostgreSQL and a trusted extension since
PostgreSQL 13, so the database owner may create it) over the same expression answers it. SQLite
has no such index; a single-machine clinic's list is small enough to scan."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

NAME_COLUMNS = ("legal_first_name", "legal_last_name", "preferred_name")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAME_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "patients_patient_{column}_trgm" ON "patients_patient" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAME_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "patients_patient_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_pregnancy_potential")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
