import csv
import json
from itertools import islice

from django.apps import apps
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import capfirst

from clinic.audit.forms import AuditFilterForm
from clinic.audit.labels import code_label, fallback_target_label, target_labels
from clinic.audit.selectors import EXPORT_MAX_DAYS, browse_audit_log, export_audit_log
from clinic.core.permissions import role_required
from clinic.core.roles import Role
from clinic.core.routing import reporting_reads


def _readable(value, key: str = "") -> str:
    if isinstance(value, dict):
        return ", ".join(
            f"{str(k).replace('_', ' ')}: {_readable(item, k)}" for k, item in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(_readable(item, key) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return code_label(value, key)
    return "—" if value is None else str(value)


def target_label(target_type: str, target_id: str) -> str:
    """What an event touched when the record itself is not read: "Treatment session, record 55",
    not "treatment_sessions.treatmentsession #55" (the stored label stays as written)."""
    return fallback_target_label(target_type, target_id)


def _key_label(key: str) -> str:
    return capfirst(str(key).replace("_", " ").strip())


def readable_details(details) -> list[tuple[str, str]]:
    """An event's details as (key, text) pairs, codes in words ("rate_reduced" is "Infusion
    rate reduced"). The template must not loop over the dict itself: Django's template lookup
    tries `details["items"]` before `details.items()`, so details with a key named items, keys,
    values or get (a checklist event stores {"items": ...}) would break."""
    if not details:
        return []
    if not isinstance(details, dict):
        return [("Details", _readable(details))]
    return [(_key_label(key), _readable(value, key)) for key, value in details.items()]


def _patient_model():
    # The audit app ranks below patients and does not import them: the model is found by name.
    return apps.get_model("patients", "Patient")


def _filters(form) -> tuple[dict, bool]:
    """The selector's filters from a valid form, and whether the MRN typed matched nobody."""
    data = form.cleaned_data
    filters = {
        k: data[k] for k in ("actor", "group", "event_type", "outcome", "date_from", "date_to")
    }
    unknown_mrn = False
    if data["mrn"]:
        patient_id = (
            _patient_model()
            .objects.filter(mrn__iexact=data["mrn"].strip())
            .values_list("pk", flat=True)
            .first()
        )
        unknown_mrn = patient_id is None
        filters["patient_id"] = patient_id if patient_id is not None else -1
    return filters, unknown_mrn


# The role's value (accounts.choices.Role.MEDICAL_DIRECTOR): audit ranks below accounts.
@role_required(Role.MEDICAL_DIRECTOR)
@reporting_reads()
def audit_log(request):
    Patient = _patient_model()
    form = AuditFilterForm(request.GET or None)
    filters: dict = {}
    unknown_mrn = False
    if form.is_valid():
        filters, unknown_mrn = _filters(form)
    page = browse_audit_log(request.user, filters=filters, page_number=request.GET.get("page", 1))
    patients = {
        p.pk: p
        for p in Patient.objects.filter(pk__in={e.patient_id for e in page if e.patient_id}).only(
            "pk", "mrn", "public_id"
        )
    }
    names = target_labels((event.target_type, event.target_id) for event in page)
    rows = [
        (
            event,
            patients.get(event.patient_id),
            names.get((event.target_type, event.target_id))
            or target_label(event.target_type, event.target_id),
            readable_details(event.details),
        )
        for event in page
    ]
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "unknown_mrn": unknown_mrn,
            "querystring": querystring.urlencode(),
        },
        status=200 if form.is_valid() or not request.GET else 400,
    )


class _Echo:
    """The file a csv writer writes to when each row is streamed as it is made."""

    def write(self, value):
        return value


# The export is read by spreadsheets and scripts as well as people: the role, the event's code
# and the outcome stay the stored codes (a machine filters on them), beside the event in words.
EXPORT_HEADER = [
    "When (UTC, ISO 8601)",
    "Who",
    "Role",
    "Event code",
    "Event",
    "Outcome",
    "Patient MRN",
    "Target",
    "IP address",
    "Details (JSON)",
    "Chain position",
    "Chain SHA-256",
]


def _cell(value):
    # A text cell starting with =, +, - or @ would be a formula to a spreadsheet.
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@"} else text


def _export_rows(events):
    """Rows of the CSV, the MRNs of each chunk of events read in one query."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_HEADER)
    Patient = _patient_model()
    while chunk := list(islice(events, 2000)):
        mrns = dict(
            Patient.objects.filter(
                pk__in={e.patient_id for e in chunk if e.patient_id}
            ).values_list("pk", "mrn")
        )
        for event in chunk:
            yield writer.writerow(
                [
                    _cell(event.occurred_at.isoformat()),
                    _cell(event.actor_label),
                    _cell(event.actor_role),
                    event.event_type,
                    _cell(event.get_event_type_display()),
                    _cell(event.outcome),
                    _cell(mrns.get(event.patient_id, "")),
                    _cell(target_label(event.target_type, event.target_id)),
                    _cell(event.ip_address),
                    _cell(json.dumps(event.details, sort_keys=True, default=str)),
                    event.chain_position,
                    event.chain_sha256,
                ]
            )


@role_required(Role.MEDICAL_DIRECTOR)
def audit_log_export(request):
    """The events the filter selects, for a date range of at most a year, as CSV."""
    form = AuditFilterForm(request.GET or None)
    problem = ""
    if not form.is_bound:
        problem = "Choose the dates to export: a From and a To date."
    elif not form.is_valid():
        problem = "; ".join(
            f"{form.fields[name].label if name in form.fields else name}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        )
    elif not (form.cleaned_data["date_from"] and form.cleaned_data["date_to"]):
        problem = "Choose the dates to export: a From and a To date."
    elif (form.cleaned_data["date_to"] - form.cleaned_data["date_from"]).days >= EXPORT_MAX_DAYS:
        problem = f"Export at most {EXPORT_MAX_DAYS} days at a time."
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    filters, _unknown = _filters(form)
    events = export_audit_log(request.user, filters=filters)
    response = StreamingHttpResponse(_export_rows(events), content_type="text/csv; charset=utf-8")
    name = f"audit-{form.cleaned_data['date_from']}-to-{form.cleaned_data['date_to']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
