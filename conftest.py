"""Shared fixtures: the clinic, its locations, and one named person per role.

Permission tests read like sentences: `front_desk` cannot open `patient_alice`'s measurements,
`patient_bob` cannot open `patient_alice`'s chart.
"""

from __future__ import annotations

import os
from datetime import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient

PASSWORD = "correct-horse-battery-staple"

# CI explores the same examples on every run, so that a red build always means a change broke
# something; local runs keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


SEED_MIGRATIONS = [
    "clinic.assessments.migrations.0002_seed_defaults",
    "clinic.evaluation.migrations.0003_seed_v1",
    "clinic.evaluation.migrations.0006_seed_v2_suicide_attempt_rule",
    "clinic.treatment.migrations.0002_seed_protocols",
    "clinic.treatment.migrations.0004_seed_protocol_infusion_limits",
    "clinic.scheduling.migrations.0002_seed_types",
    "clinic.monitoring.migrations.0002_seed_protocols",
    "clinic.messaging.migrations.0002_reply_templates",
]
DATABASE_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Browser tests (live server) flush the database after each test, which also empties the
    reference data that migrations seed (screening rules, consent texts, protocols, appointment
    types); a later test on the same worker then finds none. Seed it again when it is missing
    (the seeds are idempotent)."""
    if DATABASE_FIXTURES & set(request.fixturenames):
        request.getfixturevalue(
            "transactional_db"
            if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
            else "db"
        )
        from clinic.evaluation.models import ContraindicationRuleSet

        if not ContraindicationRuleSet.objects.exists():
            import importlib

            from django.apps import apps

            for name in SEED_MIGRATIONS:
                importlib.import_module(name).seed(apps, None)
    yield


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def location(organisation):
    return LocationFactory(organisation=organisation, name="Boston", time_zone="America/New_York")


@pytest.fixture
def other_location(organisation):
    return LocationFactory(organisation=organisation, name="Denver", time_zone="America/Denver")


def _staff(role, location, **kwargs):
    user = UserFactory(role=role, **kwargs)
    user.locations.set([location])
    return user


def on_duty_all_week(user, location):
    """Working hours round the clock, every day: a booking with this person is never warned of
    missing hours (clinic.scheduling.booking_checks) nor outside them, unless a test sets a
    working week of its own (clinic.scheduling.tests.factories.working_week replaces these)."""
    from clinic.scheduling.models import StaffHours

    StaffHours.objects.bulk_create(
        StaffHours(user=user, location=location, weekday=day, starts=time(0), ends=time(23, 59))
        for day in range(7)
    )
    return user


@pytest.fixture
def medical_director(location):
    return _staff(
        Role.MEDICAL_DIRECTOR, location, full_name="Dr. Director", credentials="MD", is_staff=True
    )


@pytest.fixture
def clinician(location):
    return on_duty_all_week(
        _staff(Role.CLINICIAN, location, full_name="Dr. Clinician", credentials="MD"), location
    )


@pytest.fixture
def nurse(location):
    return on_duty_all_week(
        _staff(Role.NURSE, location, full_name="Nurse Nora", credentials="RN"), location
    )


@pytest.fixture
def front_desk(location):
    return _staff(Role.FRONT_DESK, location, full_name="Frank Desk")


@pytest.fixture
def other_location_clinician(other_location):
    return _staff(Role.CLINICIAN, other_location, full_name="Dr. Elsewhere")


@pytest.fixture
def patient_alice(clinician, location):
    return register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )


@pytest.fixture
def patient_bob(clinician, location):
    return register_test_patient(
        actor=clinician, location=location, first_name="Bob", last_name="Lindqvist", portal=True
    )


@pytest.fixture
def personas(medical_director, clinician, nurse, front_desk, patient_alice, patient_bob):
    return {
        "anonymous": None,
        "medical_director": medical_director,
        "clinician": clinician,
        "nurse": nurse,
        "front_desk": front_desk,
        "patient_alice": patient_alice.user,
        "patient_bob": patient_bob.user,
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def service_statements(work: int) -> int:
    """The statements a test counts for one call of a service whose transaction does `work`
    statements: its transaction is a savepoint in the test's own (SAVEPOINT and RELEASE), and on
    PostgreSQL the audit chain is locked first. (`make bench` counts BEGIN on SQLite and the
    chain's lock on PostgreSQL: work + 1 on either.)"""
    return work + 2 + (connection.vendor == "postgresql")
