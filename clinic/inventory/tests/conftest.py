import pytest

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
