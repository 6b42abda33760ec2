from __future__ import annotations

NUL_MARKERS = (b"\x00", b"\\u0000", b"%00")
CHECKED_BODY_TYPES = ("application/json", "application/x-www-form-urlencoded")


class RejectNullCharactersMiddleware:
    """Answer 400 to any request carrying a NUL character. PostgreSQL cannot store or even compare
    one (SQLite can), so a NUL reaching a query would be a server error on one database only.
    Django's form fields already refuse it; this covers query strings and the JSON API too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "").encode()
        has_nul = any(marker in query for marker in (b"%00", b"\x00"))
        if not has_nul and request.META.get("CONTENT_TYPE", "").startswith(CHECKED_BODY_TYPES):
            has_nul = any(marker in request.body for marker in NUL_MARKERS)
        if has_nul:
            from django.shortcuts import render

            context = {
                "title": "The request contained a character we cannot accept",
                "message": "Remove any invisible control characters from what you typed and try again.",
                "status": 400,
            }
            return render(request, "core/error.html", context, status=400)
        return self.get_response(request)
