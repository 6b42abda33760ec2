from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "clinic.interop"
    label = "interop"
    verbose_name = "FHIR interoperability"
