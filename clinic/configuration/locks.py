"""Row locks of the configuration services. A publication locks the configured row first, then
the change: two directors publishing against one row queue on the row, never in a circle."""

from __future__ import annotations

from django.db import models

from clinic.configuration.documents import VersionedText
from clinic.configuration.models import ConfigurationChange
from clinic.configuration.targets import ConfigTarget
from clinic.core.exceptions import NotFoundError


def lock_configured_row(target: ConfigTarget, key: str) -> models.Model:
    """The live row a change applies to, locked (a policy not yet saved: its unsaved defaults,
    with nothing to lock; the singleton's unique constraint stops a second one being created)."""
    manager = target.model._default_manager.select_for_update()
    if target.singleton:
        row = manager.filter(singleton=True).first()
        return row if row is not None else target.model()
    row = target.row_for_key(key)
    if row.pk is None:
        # A condition's questionnaire set still at its default: nothing saved to lock; the
        # condition's unique constraint stops a second row being created.
        return row
    return manager.get(pk=row.pk)


def lock_configuration_change(change_id: int) -> ConfigurationChange:
    """The change's row, locked (DoesNotExist if there is none)."""
    return ConfigurationChange.objects.select_for_update().get(pk=change_id)


def lock_document_version(document: VersionedText, *, code: str, version: int):
    """One version of a consent document or education page, locked (NotFoundError if none)."""
    if not 0 < version < 2**31:
        raise NotFoundError("There is no such document version.")
    row = (
        document.model.objects.select_for_update()
        .filter(code=str(code)[:60], version=version)
        .first()
    )
    if row is None:
        raise NotFoundError("There is no such document version.")
    return row
