"""Error pages: every refusal gets a page a person understands, never a bare 500."""

from django.shortcuts import render


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
    return render(
        request,
        "core/error.html",
        {
            "title": "Something went wrong on our side",
            "message": "The error has been logged. Please try again; if it keeps happening, call the clinic.",
            "status": 500,
        },
        status=500,
    )
