"""The FHIR API (GET /fhir/…) and the medical director's page for its tokens.

The API is plain Django views rather than a Django Ninja router: every answer, errors included,
must be FHIR (`application/fhir+json`, an OperationOutcome with the right status: 401 for a
missing, revoked or expired token, 400 for a parameter it does not support, 404 for what the
token may not see), while Ninja answers its own errors (authentication, validation) in its own
JSON shape and content type; FHIR search parameters (repeated `date`, prefixes, `system|code`)
are not a schema Ninja could check either. The resources are the mapping's dicts, which the
tests validate with fhir.resources' R4B models."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from clinic.accounts.choices import STAFF_ROLES, Role
from clinic.accounts.models import User
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.forms import model_choice_field, posted_data, refusal_as_message, refusal_shown_on
from clinic.core.permissions import role_required
from clinic.interop import mapping, selectors, services
from clinic.interop.capability import capability_statement
from clinic.interop.models import FhirApiToken
from clinic.interop.search import SearchError, check_parameters, observation_matches, parse_search
from clinic.patients.models import Patient
from clinic.patients.selectors import visible_patients

FHIR_JSON = "application/fhir+json; charset=utf-8"
OBSERVATION_PARAMETERS = {"patient", "category", "code", "date", "_count", "_offset"}
RESPONSE_PARAMETERS = {"patient", "_count", "_offset"}


# --- answers ------------------------------------------------------------------------------------
def fhir_response(resource: dict, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        mapping.dumps(resource),
        status=status,
        content_type=FHIR_JSON,
    )
    return response


ISSUE_CODES = {400: "invalid", 401: "login", 404: "not-found", 405: "not-supported"}


def operation_outcome(status: int, message: str) -> HttpResponse:
    response = fhir_response(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": ISSUE_CODES.get(status, "processing"),
                    "diagnostics": message,
                }
            ],
        },
        status=status,
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return response


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def fhir_endpoint(view):
    """The FHIR API's door: GET only, a usable bearer token, the request's data checked, and
    every refusal an OperationOutcome (never a page, never a 500 for any input)."""

    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return operation_outcome(405, "This server answers GET only.")
        token = services.authenticate_fhir_token(_bearer(request))
        if token is None:
            return operation_outcome(
                401,
                "Send a valid FHIR API token: Authorization: Bearer <token>. "
                "A revoked or expired token no longer works.",
            )
        try:
            return view(request, token, *args, **kwargs)
        except SearchError as refusal:
            return operation_outcome(400, str(refusal))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    # A bearer token, not a cookie, authenticates the API: there is no session to forge.
    return csrf_exempt(wrapper)


def _patient_for(token: FhirApiToken, public_id: str, *, interaction: str) -> Patient | None:
    """The patient, if the token's owner may see them on the pages; else None, with a denied
    audit row (the caller answers 404: the token must not learn whether the record exists)."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        wanted = None
    patient = (
        selectors.with_record(visible_patients(token.owner).filter(public_id=wanted)).first()
        if wanted
        else None
    )
    if patient is None:
        record_audit_event(
            actor=token.owner,
            actor_label=token.audit_label,
            event_type=AuditEventType.FHIR_READ,
            outcome=AuditOutcome.DENIED,
            details={
                "interaction": interaction,
                "patient": str(public_id)[:64],
                "token": str(token.public_id),
            },
        )
    return patient


def _record_read(token, patient, *, interaction: str, count: int) -> None:
    record_audit_event(
        actor=token.owner,
        actor_label=token.audit_label,
        event_type=AuditEventType.FHIR_READ,
        target=patient,
        about=patient,
        details={"interaction": interaction, "resources": count, "token": str(token.public_id)},
    )


NOT_FOUND = "No patient with that id that this token may read."


def _searchset(request, resources: list[dict], *, total: int, search=None, included=()) -> dict:
    base = request.build_absolute_uri(request.path)
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    if search is not None and search.offset + search.count < total:
        params = request.GET.copy()
        params["_offset"] = str(search.offset + search.count)
        params["_count"] = str(search.count)
        links.append({"relation": "next", "url": f"{base}?{urlencode(params, doseq=True)}"})
    root = request.build_absolute_uri("/fhir/")
    entries = [
        {
            "fullUrl": f"{root}{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in resources
    ] + [
        {
            "fullUrl": f"{root}{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "include"},
        }
        for r in included
    ]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": timezone.now().isoformat()},
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entries,
    }


# --- endpoints ---------------------------------------------------------------------------------
@require_GET
def metadata(request):
    """The CapabilityStatement: what this server serves (readable without a token, as FHIR asks)."""
    check = set(request.GET) - {"_format", "mode"}
    if check:
        return operation_outcome(
            400, f"metadata takes no parameter {', '.join(sorted(check))[:200]}."
        )
    return fhir_response(capability_statement(request.build_absolute_uri("/fhir")))


@fhir_endpoint
def patient_read(request, token, public_id):
    check_parameters(request.GET, set())
    patient = _patient_for(token, public_id, interaction="read Patient")
    if patient is None:
        return operation_outcome(404, NOT_FOUND)
    _record_read(token, patient, interaction="read Patient", count=1)
    return fhir_response(mapping.patient_resource(patient))


@fhir_endpoint
def patient_everything(request, token, public_id):
    """Patient/$everything: the whole record as a searchset Bundle, with the Questionnaires its
    responses answer."""
    check_parameters(request.GET, set())
    patient = _patient_for(token, public_id, interaction="$everything")
    if patient is None:
        return operation_outcome(404, NOT_FOUND)
    resources = list(selectors.resources_for(patient))
    included = selectors.questionnaires_used(patient)
    _record_read(token, patient, interaction="$everything", count=len(resources) + len(included))
    return fhir_response(_searchset(request, resources, total=len(resources), included=included))


def _search(request, token, *, resource_type: str, allowed: set[str], matches):
    search = parse_search(request.GET, allowed=allowed, zone=timezone.get_current_timezone())
    patient = _patient_for(token, search.patient, interaction=f"search {resource_type}")
    if patient is None:
        return operation_outcome(404, NOT_FOUND)
    found = [
        r
        for r in selectors.resources_for(patient)
        if r["resourceType"] == resource_type and matches(r, search)
    ]
    page = found[search.offset : search.offset + search.count]
    _record_read(token, patient, interaction=f"search {resource_type}", count=len(page))
    return fhir_response(_searchset(request, page, total=len(found), search=search))


@fhir_endpoint
def observation_search(request, token):
    return _search(
        request,
        token,
        resource_type="Observation",
        allowed=OBSERVATION_PARAMETERS,
        matches=observation_matches,
    )


@fhir_endpoint
def questionnaire_response_search(request, token):
    return _search(
        request,
        token,
        resource_type="QuestionnaireResponse",
        allowed=RESPONSE_PARAMETERS,
        matches=lambda _resource, _search: True,
    )


@fhir_endpoint
def unknown(request, token, rest=""):
    return operation_outcome(404, "This server does not serve that (see /fhir/metadata).")


# --- the medical director's page ---------------------------------------------------------------
class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What the token is for, e.g. “Referral hospital import”."
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        help_text="The token reads what this person may see on the pages (their locations).",
    )
    valid_days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=services.MAX_VALID_DAYS,
        initial=services.DEFAULT_VALID_DAYS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = User.objects.filter(
            role__in=STAFF_ROLES, is_active=True
        ).order_by("full_name")


@role_required(Role.MEDICAL_DIRECTOR)
def tokens(request):
    form = TokenForm(posted_data(request))
    new_token = None
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            _row, new_token = services.issue_fhir_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                owner=form.cleaned_data["owner"],
                valid_days=form.cleaned_data["valid_days"],
            )
            form = TokenForm()
    return render(
        request,
        "interop/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": FhirApiToken.objects.select_related("owner", "issued_by")[:200],
            "now": timezone.now(),
            "fhir_base": request.build_absolute_uri("/fhir"),
        },
    )


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def revoke_token(request, public_id):
    token = get_object_or_404(FhirApiToken, public_id=public_id)
    with refusal_as_message(request):
        services.revoke_fhir_token(actor=request.user, token=token)
        messages.success(request, f"“{token.name}” is revoked: it no longer opens the FHIR API.")
    return redirect("interop:tokens")
