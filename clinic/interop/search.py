"""FHIR search parameters, parsed and applied without the database: the API's query string
checked against what each search accepts (anything else is a 400, never a 500), and the
Observation filters (category, code, date with its prefixes) applied to mapped resources.

FHIR R4 search: hl7.org/fhir/R4/search.html (token and date parameters, prefixes, _count)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

DEFAULT_COUNT = 50
MAX_COUNT = 200
DATE_PREFIXES = ("eq", "ne", "ge", "le", "gt", "lt")
OBSERVATION_CATEGORIES = ("vital-signs", "survey")


class SearchError(ValueError):
    """A search the server refuses: the message says which parameter and why (an
    OperationOutcome with status 400)."""


@dataclass(frozen=True)
class DateBound:
    prefix: str
    start: datetime
    # Exclusive: the end of the day (or instant) the value names.
    end: datetime

    def matches(self, moment: datetime) -> bool:
        if self.prefix == "eq":
            return self.start <= moment < self.end
        if self.prefix == "ne":
            return not (self.start <= moment < self.end)
        if self.prefix == "ge":
            return moment >= self.start
        if self.prefix == "gt":
            return moment >= self.end
        if self.prefix == "le":
            return moment < self.end
        return moment < self.start  # lt


@dataclass(frozen=True)
class Search:
    patient: str
    count: int = DEFAULT_COUNT
    offset: int = 0
    categories: tuple[str, ...] = ()
    # (system or None, code) pairs, any of which matches.
    codes: tuple[tuple[str | None, str], ...] = ()
    dates: tuple[DateBound, ...] = field(default_factory=tuple)


def _one(params, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise SearchError(f"Give {name} once.")
    return values[0].strip() if values else ""


def _integer(params, name: str, *, default: int, low: int, high: int) -> int:
    text = _one(params, name)
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise SearchError(f"{name} must be a whole number from {low} to {high}.")
    return int(text)


def parse_date(text: str, zone) -> DateBound:
    prefix = text[:2] if text[:2] in DATE_PREFIXES else "eq"
    value = text[2:] if text[:2] in DATE_PREFIXES else text
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time.min, tzinfo=zone)
            return DateBound(prefix, start, start + timedelta(days=1))
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SearchError(
            f"date “{text[:40]}” is not a date (YYYY-MM-DD) or a date and time with its zone, "
            "after an optional prefix (ge, le, gt, lt, eq, ne)."
        ) from None
    if timezone.is_naive(moment):
        raise SearchError("A date and time in date must carry its zone (e.g. +00:00 or Z).")
    if not 1900 <= moment.year <= 2200:
        raise SearchError("date is out of range.")
    return DateBound(prefix, moment, moment + timedelta(seconds=1))


def check_parameters(params, allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise SearchError(
            f"This server does not support the parameter(s) {', '.join(unknown)[:200]} here; "
            f"it supports {', '.join(sorted(allowed))}."
        )


def parse_search(params, *, allowed: set[str], zone) -> Search:
    check_parameters(params, allowed)
    patient = _one(params, "patient")
    if patient.startswith("Patient/"):
        patient = patient.removeprefix("Patient/")
    if not patient:
        raise SearchError("Give patient (the patient's id): searches here are of one patient.")
    categories: list[str] = []
    for value in params.getlist("category") if "category" in allowed else []:
        for item in value.split(","):
            code = item.strip().rsplit("|", 1)[-1]
            if code not in OBSERVATION_CATEGORIES:
                raise SearchError(f"category must be one of {', '.join(OBSERVATION_CATEGORIES)}.")
            categories.append(code)
    codes: list[tuple[str | None, str]] = []
    for value in params.getlist("code") if "code" in allowed else []:
        for item in value.split(","):
            item = item.strip()
            if not item or len(item) > 200:
                raise SearchError("code must be a code, or system|code.")
            system, _bar, code = item.rpartition("|") if "|" in item else (None, "", item)
            codes.append((system or None, code))
    dates = tuple(
        parse_date(value.strip(), zone)
        for value in (params.getlist("date") if "date" in allowed else [])
    )
    return Search(
        patient=patient,
        count=_integer(params, "_count", default=DEFAULT_COUNT, low=1, high=MAX_COUNT),
        offset=_integer(params, "_offset", default=0, low=0, high=10_000_000),
        categories=tuple(categories),
        codes=tuple(codes),
        dates=dates,
    )


def _moment(resource: dict) -> datetime | None:
    text = resource.get("effectiveDateTime") or resource.get("authored")
    return datetime.fromisoformat(text) if text else None


def observation_matches(resource: dict, search: Search) -> bool:
    if search.categories:
        found = {c["code"] for cat in resource.get("category", []) for c in cat.get("coding", [])}
        if not found & set(search.categories):
            return False
    if search.codes:
        codings = [(c.get("system"), c.get("code")) for c in resource["code"].get("coding", [])]
        if not any(
            code == have_code and (system is None or system == have_system)
            for system, code in search.codes
            for have_system, have_code in codings
        ):
            return False
    if search.dates:
        moment = _moment(resource)
        if moment is None or not all(bound.matches(moment) for bound in search.dates):
            return False
    return True
