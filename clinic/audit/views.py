from django.apps import apps
from django.shortcuts import render
from django.utils.text import capfirst

from clinic.audit.forms import AuditFilterForm
from clinic.audit.selectors import browse_audit_log
from clinic.core.permissions import role_required


def _readable(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_readable(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_readable(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None else str(value)


def target_label(target_type: str, target_id: str) -> str:
    """What an event touched, in words: "Treatment session, record 55", not
    "treatment_sessions.treatmentsession #55" (the stored label stays as written)."""
    if not target_type:
        return ""
    try:
        name = apps.get_model(target_type)._meta.verbose_name
    except (LookupError, ValueError):
        name = target_type
    name = capfirst(str(name))
    return f"{name}, record {target_id}" if target_id else name


def _key_label(key: str) -> str:
    return capfirst(str(key).replace("_", " ").strip())


def readable_details(details) -> list[tuple[str, str]]:
    """An event's details as (key, text) pairs. The template must not loop over the dict itself:
    Django's template lookup tries `details["items"]` before `details.items()`, so details with a
    key named items, keys, values or get (a checklist event stores {"items": ...}) would break."""
    if not details:
        return []
    if not isinstance(details, dict):
        return [("Details", _readable(details))]
    return [(_key_label(key), _readable(value)) for key, value in details.items()]


# The role's value (accounts.choices.Role.MEDICAL_DIRECTOR): audit ranks below accounts.
@role_required("medical_director")
def audit_log(request):
    # The audit app ranks below patients and does not import them: an MRN is resolved by name.
    Patient = apps.get_model("patients", "Patient")
    form = AuditFilterForm(request.GET or None)
    filters: dict = {}
    unknown_mrn = False
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            k: data[k] for k in ("actor", "group", "event_type", "outcome", "date_from", "date_to")
        }
        if data["mrn"]:
            patient_id = (
                Patient.objects.filter(mrn__iexact=data["mrn"].strip())
                .values_list("pk", flat=True)
                .first()
            )
            unknown_mrn = patient_id is None
            filters["patient_id"] = patient_id if patient_id is not None else -1
    page = browse_audit_log(request.user, filters=filters, page_number=request.GET.get("page", 1))
    patients = {
        p.pk: p
        for p in Patient.objects.filter(pk__in={e.patient_id for e in page if e.patient_id}).only(
            "pk", "mrn", "public_id"
        )
    }
    rows = [
        (
            event,
            patients.get(event.patient_id),
            target_label(event.target_type, event.target_id),
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
