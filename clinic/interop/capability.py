"""The CapabilityStatement of GET /fhir/metadata: exactly the interactions this server answers
(FHIR R4 CapabilityStatement, hl7.org/fhir/R4/capabilitystatement.html)."""

from __future__ import annotations

from django.utils import timezone

from clinic.interop.search import MAX_COUNT

COMMON_SEARCH = [
    {
        "name": "patient",
        "type": "reference",
        "documentation": "Required: the patient's id. Searches are of one patient.",
    },
    {
        "name": "_count",
        "type": "number",
        "documentation": f"Page size, 1 to {MAX_COUNT}; a 'next' link gives the next page.",
    },
]


def capability_statement(base_url: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "Ketamine Clinic",
        "kind": "instance",
        "implementation": {"description": "Ketamine Clinic FHIR API (read-only)", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "A bearer token (Authorization: Bearer kcf_…) issued by the "
                    "medical director; it reads what its owner may see on the pages.",
                },
                "resource": [
                    {
                        "type": "Patient",
                        "interaction": [{"code": "read"}],
                        "operation": [
                            {
                                "name": "everything",
                                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                            }
                        ],
                    },
                    {
                        "type": "Observation",
                        "interaction": [{"code": "search-type"}],
                        "searchParam": [
                            *COMMON_SEARCH,
                            {
                                "name": "category",
                                "type": "token",
                                "documentation": "vital-signs or survey.",
                            },
                            {
                                "name": "code",
                                "type": "token",
                                "documentation": "code or system|code.",
                            },
                            {
                                "name": "date",
                                "type": "date",
                                "documentation": "With a prefix (ge, le, gt, lt, eq, ne); may repeat.",
                            },
                        ],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "interaction": [{"code": "search-type"}],
                        "searchParam": COMMON_SEARCH,
                    },
                ],
            }
        ],
    }
