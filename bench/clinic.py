"""The benchmarks' clinic: one location and its staff, built through the product's own models and
test factories, and the vital-sign values monitors send."""

from __future__ import annotations

from django.test import Client

from clinic.accounts.choices import Role
from clinic.accounts.models import User
from clinic.core.models import Location, Organisation
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests.factories import dosed
from conftest import PASSWORD


def reading_values(n: int) -> dict:
    """Realistic monitor values for the n-th reading; about one in four is out of range (a
    systolic above 180, an SpO₂ below 92 or a heart rate above 110) to exercise the alerts."""
    values = {
        "systolic_mmhg": 118 + n % 17,
        "diastolic_mmhg": 72 + n % 11,
        "heart_rate_bpm": 64 + n % 19,
        "respiratory_rate_per_min": 12 + n % 5,
        "spo2_pct": 95 + n % 5,
        "temperature_c": "36.8",
    }
    if n % 7 == 3:
        values["systolic_mmhg"] = 186
    if n % 11 == 5:
        values["spo2_pct"] = 90
    if n % 13 == 8:
        values["heart_rate_bpm"] = 118
    return values


def in_range_values(n: int) -> dict:
    return {
        "systolic_mmhg": 118 + n % 9,
        "diastolic_mmhg": 72 + n % 7,
        "heart_rate_bpm": 64 + n % 11,
        "respiratory_rate_per_min": 12 + n % 4,
        "spo2_pct": 96 + n % 4,
    }


class Clinic:
    """The benchmark's clinic: one location, its staff, and helpers that build what the figures
    need through the product's own services and test factories."""

    def __init__(self) -> None:
        self.password = PASSWORD
        self.organisation = Organisation.objects.create(name="Bench clinic")
        self.location = Location.objects.create(
            organisation=self.organisation,
            name="Bench",
            address_line1="1 Main St",
            city="Boston",
            phone="(617) 555-0100",
            time_zone="America/New_York",
        )

        def staff(email: str, role: str, **extra) -> User:
            user = User.objects.create_user(email, PASSWORD, role=role, **extra)
            user.locations.set([self.location])
            return user

        self.director = staff(
            "director@bench.test",
            Role.MEDICAL_DIRECTOR,
            full_name="Bench Director",
            credentials="MD",
            is_staff=True,
        )
        self.clinician = staff(
            "prescriber@bench.test", Role.CLINICIAN, full_name="Bench Prescriber", credentials="MD"
        )
        self.nurse = staff(
            "nurse@bench.test", Role.NURSE, full_name="Bench Nurse", credentials="RN"
        )

    def client_for(self, user) -> Client:
        client = Client()
        client.force_login(user)
        # The first request of a sign-in stamps its activity time; keep it out of the figures.
        client.get("/bench/bare/")
        return client

    def dosed_session(self, index: int, *, dosed_at=None):
        patient = register_test_patient(
            actor=self.clinician,
            location=self.location,
            first_name="Vitals",
            last_name=f"Chair{chr(65 + index % 26)}{chr(65 + index // 26 % 26)}",
            portal=True,
        )
        session = dosed(self.clinician, self.nurse, patient, at=dosed_at)
        # As the session page has it: read with its patient and location.
        return TreatmentSession.objects.select_related("patient", "location").get(pk=session.pk)
