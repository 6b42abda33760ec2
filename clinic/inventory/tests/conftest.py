import pytest

from clinic.inventory.models import InventoryPolicy
from clinic.inventory.tests.factories import SafeFactory, receive
from clinic.sessions.tests import factories as session_factories


@pytest.fixture
def safe(location):
    return SafeFactory(location=location, name="Main safe")


@pytest.fixture
def vial(nurse, clinician, safe):
    """One full 5 mL vial of 100 mg/mL in the safe."""
    return receive(nurse, clinician, safe).containers.get()


@pytest.fixture
def session(clinician, nurse, patient_alice):
    """An IV session at the safe's location, started."""
    return session_factories.started_session(clinician, nurse, patient_alice)


@pytest.fixture
def typed_lots(db):
    """The register switched off for doses: the lot and expiry are typed."""
    InventoryPolicy.objects.update_or_create(
        singleton=True, defaults={"sessions_draw_from_register": False}
    )
