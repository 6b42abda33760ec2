"""The product's URLs plus the benchmark's floor: a signed-in view that does nothing, served
through the same middleware (sessions, authentication, CSP, audit of refusals) as every page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def bare_signed_in_view(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare_signed_in_view),
    path("", include("config.urls")),
]
