from __future__ import annotations

import pytest

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.treatment.models import ProtocolTemplate


@pytest.fixture
def second_director(location):
    user = UserFactory(
        role=Role.MEDICAL_DIRECTOR, full_name="Dr. Second", credentials="MD", is_staff=True
    )
    user.locations.set([location])
    return user


@pytest.fixture
def iv_protocol(db):
    return ProtocolTemplate.objects.get(name="IV ketamine — treatment-resistant depression")
