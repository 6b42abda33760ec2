import factory

from clinic.accounts.choices import Role
from clinic.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@clinic.test")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.CLINICIAN
    password = factory.django.Password("correct-horse-battery-staple")
