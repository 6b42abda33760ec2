"""Error pages: every refusal gets a page a person understands, never a bare 500."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def bad_request(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": "Something in the request was not valid", "status": 400},
        status=400,
    )


def permission_denied(request, exception=None):
    message = (
        str(exception)
        if exception and str(exception)
        else "Your role does not give access to this page."
    )
    return render(
        request,
        "core/error.html",
        {"title": "You do not have access to this page", "message": message, "status": 403},
        status=403,
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {
            "title": "We could not find that page",
            "message": "The address may be mistyped, or the record may not be one you can see.",
            "status": 404,
        },
        status=404,
    )


def server_error(request):
    context = {
        "title": "Something went wrong on our side",
        "message": "The error has been logged. Please try again; if it keeps happening, call the clinic.",
        "status": 500,
    }
    try:
        return render(request, "core/error.html", context, status=500)
    except Exception:  # The error page must answer whatever broke the request.
        # The page with the request reads the signed-in person (the menu, the start page link);
        # when that is what failed, the page is drawn as for a visitor.
        logger.exception("The error page could not use the request; drawn without it.")
    try:
        return HttpResponseServerError(render_to_string("core/error.html", context))
    except Exception:
        logger.exception("The error page could not be drawn; answered in plain text.")
        return HttpResponseServerError(
            f"{context['title']}. {context['message']}", content_type="text/plain"
        )
