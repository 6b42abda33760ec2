"""`manage.py flush`, allowed to empty sealed tables on SQLite.

Django's own flush deletes every row; the triggers on sealed tables (clinic.core.guards) refuse
that unless the deletion runs as maintenance. On PostgreSQL flush uses TRUNCATE, which the
triggers allow only for the tables' owner, so there nothing changes.
"""

from django.core.management.commands.flush import Command as DjangoFlushCommand

from clinic.core.guards import maintenance


class Command(DjangoFlushCommand):
    def handle(self, **options):
        with maintenance():
            return super().handle(**options)
