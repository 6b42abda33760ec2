from __future__ import annotations

import re

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

NUL_MARKERS = (b"\x00", b"\\u0000", b"%00")
CHECKED_BODY_TYPES = ("application/json", "application/x-www-form-urlencoded")
# What Django itself writes: a session key of lower-case letters and digits (32 of them,
# django.contrib.sessions.backends.base.VALID_KEY_CHARS) and a CSRF secret or masked token of 32
# or 64 letters and digits (django.middleware.csrf).
_SESSION_KEY = re.compile(r"[a-z0-9]{8,64}")
_CSRF_TOKEN = re.compile(r"[a-zA-Z0-9]{32}|[a-zA-Z0-9]{64}")


def _ignore_malformed_cookies(request) -> None:
    """A session or CSRF cookie that Django could not have written is treated as absent, never
    looked up: a NUL in a session key (a quoted cookie's \\000 unquotes to one) is a server error
    on PostgreSQL, and again in the error page, which reads the session to show who is signed in.
    The session cookie stays in request.COOKIES so that SessionMiddleware deletes it from the
    browser (it deletes the cookie of an empty session)."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session_key is not None and not _SESSION_KEY.fullmatch(session_key):
        session = getattr(request, "session", None)
        if session is not None:
            request.session = type(session)(None)
    csrf_token = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if csrf_token is not None and not _CSRF_TOKEN.fullmatch(csrf_token):
        del request.COOKIES[settings.CSRF_COOKIE_NAME]


class RejectNullCharactersMiddleware:
    """Answer 400 to any request carrying a NUL character. PostgreSQL cannot store or even compare
    one (SQLite can), so a NUL reaching a query would be a server error on one database only.
    Django's form fields already refuse it; this covers query strings and the JSON API too.
    Cookies are checked as well but never refused: a malformed session or CSRF cookie is ignored
    (the request goes on as if it had none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _ignore_malformed_cookies(request)
        query = request.META.get("QUERY_STRING", "").encode()
        has_nul = any(marker in query for marker in (b"%00", b"\x00"))
        if not has_nul and request.META.get("CONTENT_TYPE", "").startswith(CHECKED_BODY_TYPES):
            has_nul = any(marker in request.body for marker in NUL_MARKERS)
        if has_nul:
            if request.path.startswith("/fhir/"):
                # The FHIR API answers every error as a FHIR OperationOutcome (clinic.interop).
                return JsonResponse(
                    {
                        "resourceType": "OperationOutcome",
                        "issue": [
                            {
                                "severity": "error",
                                "code": "invalid",
                                "diagnostics": "The request contains a NUL character.",
                            }
                        ],
                    },
                    status=400,
                    content_type="application/fhir+json; charset=utf-8",
                )

            context = {
                "title": "The request contained a character we cannot accept",
                "message": "Remove any invisible control characters from what you typed and try again.",
                "status": 400,
            }
            return render(request, "core/error.html", context, status=400)
        return self.get_response(request)
