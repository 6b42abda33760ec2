"""The WSGI application `make bench-http` serves: the product's own (config.wsgi, production
settings from the environment) with the benchmark's URLs, which add the bare signed-in view."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django
from django.conf import settings

django.setup(set_prefix=False)
settings.ROOT_URLCONF = "bench.urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
