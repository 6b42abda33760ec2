import pytest

from clinic.inventory.models import InventoryPolicy


@pytest.fixture
def typed_lots(db):
    """The clinic's register switched off for doses: the lot and expiry are typed as read off the
    vial (the path a clinic takes before its stock is entered). The register's path is the default
    and is tested in clinic/inventory/tests/test_chairside.py."""
    InventoryPolicy.objects.update_or_create(
        singleton=True, defaults={"sessions_draw_from_register": False}
    )
