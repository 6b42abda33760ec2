"""Cache-Control: nothing that may carry patient data is kept by a browser or a proxy.

A page a patient's record appears on must not stay in the browser's cache (the back button on a
shared clinic tablet after signing out, a patient's family computer) nor in a proxy's. The rule is
the fail-safe one: every response gets `Cache-Control: no-store`, except a page marked
`cacheable_public_page` (the public information pages, the same for everyone) shown to someone who
is not signed in. So every answer to a signed-in person, every API answer (session or device
token), and every page opened by a link's token without signing in (questionnaire links, pre-visit
check-in links, calendar feeds, password resets) is covered, including any added later. Static
files never reach this middleware (WhiteNoise and runserver serve them first) and may be cached.
https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Cache-Control#no-store
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers

CACHEABLE_ATTRIBUTE = "cacheable_public_page"


def cacheable_public_page(view):
    """Mark a view whose page is the same for every visitor and shows no patient data: when the
    visitor is not signed in, the response may be cached."""
    setattr(view, CACHEABLE_ATTRIBUTE, True)
    return view


def may_be_cached(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    match = getattr(request, "resolver_match", None)
    return match is not None and getattr(match.func, CACHEABLE_ATTRIBUTE, False)


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's never-cache headers: no-cache, must-revalidate,
    private, max-age=0, an Expires in the past) on every response that may carry patient data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not may_be_cached(request):
            add_never_cache_headers(response)
        return response
