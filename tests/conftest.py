"""Shared by the integration and browser tests."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    """Every test that commits may use the `replica` alias (config/settings.py adds it under
    tests as a mirror of the test database): a report's reads go there outside a transaction,
    from a browser test's live server say, which Django otherwise refuses for an alias the test
    did not list. A test inside its own transaction reads from the primary and needs none; a test
    that names its databases keeps its own list."""
    from django.conf import settings

    if "replica" not in settings.DATABASES:
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        commits = bool({"transactional_db", "live_server"} & fixtures) or bool(
            marker is not None and marker.kwargs.get("transaction")
        )
        if not commits or (marker is not None and marker.kwargs.get("databases") is not None):
            continue
        args, kwargs = (marker.args, dict(marker.kwargs)) if marker is not None else ((), {})
        item.add_marker(
            pytest.mark.django_db(*args, **{**kwargs, "databases": ["default", "replica"]})
        )
