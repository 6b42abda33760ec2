"""What evaluation asks of the apps above it, without importing them: they register a provider
from their `AppConfig.ready()`.

- `treatment_routes(patient)`: the routes the patient's treatment plan uses (the treatment app
  answers from the active plan), or None when the patient has no plan yet. The consent page asks
  only for the documents those routes need, and the education library shows their pages."""

from __future__ import annotations

from collections.abc import Callable

_route_providers: list[Callable[[object], set[str] | None]] = []


def provide_treatment_routes(provider: Callable[[object], set[str] | None]):
    if provider not in _route_providers:
        _route_providers.append(provider)
    return provider


def treatment_routes(patient) -> set[str] | None:
    routes: set[str] | None = None
    for provider in _route_providers:
        found = provider(patient)
        if found is not None:
            routes = (routes or set()) | found
    return routes
