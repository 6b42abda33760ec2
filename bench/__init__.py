"""The benchmark package (`python -m bench`, `make bench`). Importing it sets Django up first,
so that its modules import the product's models at the top like any other module."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CLINIC_ENVIRONMENT", "test")

import django

django.setup()
