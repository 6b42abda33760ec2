import factory

from clinic.core.models import Location, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("singleton",)

    name = "Test Ketamine Clinic"
    singleton = True


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Location {n}")
    address_line1 = "1 Main Street"
    city = "Boston"
    region = "MA"
    postal_code = "02116"
    phone = "(617) 555-0100"
    time_zone = "America/New_York"
