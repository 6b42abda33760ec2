from django.urls import path

from clinic.configuration import views

app_name = "configuration"

# A configured row is named by its kind and key: a protocol's number, a route, or "clinic" for a
# policy's one row. These are reference data every clinician reads, not records of a person.
urlpatterns = [
    path("configuration/", views.home, name="home"),
    path("configuration/clinic-policy/", views.unverified, name="unverified"),
    path("configuration/clinic-policy/<slug:key>/accept/", views.accept, name="accept"),
    path("configuration/screening/", views.screening, name="screening"),
    path(
        "configuration/screening/new-version/",
        views.screening_new_version,
        name="screening_new_version",
    ),
    path(
        "configuration/screening/v<int:version>/",
        views.screening_version,
        name="screening_version",
    ),
    path(
        "configuration/screening/v<int:version>/new-rule/",
        views.screening_rule,
        name="screening_rule_new",
    ),
    path(
        "configuration/screening/v<int:version>/rules/<slug:code>/",
        views.screening_rule,
        name="screening_rule",
    ),
    path(
        "configuration/screening/v<int:version>/rules/<slug:code>/remove/",
        views.screening_rule_remove,
        name="screening_rule_remove",
    ),
    path(
        "configuration/screening/v<int:version>/publish/",
        views.screening_publish,
        name="screening_publish",
    ),
    path(
        "configuration/screening/v<int:version>/discard/",
        views.screening_discard,
        name="screening_discard",
    ),
    path("configuration/documents/", views.documents, name="documents"),
    path("configuration/documents/<slug:kind>/<slug:code>/", views.document, name="document"),
    path(
        "configuration/documents/<slug:kind>/<slug:code>/new-version/",
        views.new_version,
        name="new_version",
    ),
    path(
        "configuration/documents/<slug:kind>/<slug:code>/v<int:version>/",
        views.document_version,
        name="document_version",
    ),
    path(
        "configuration/documents/<slug:kind>/<slug:code>/v<int:version>/publish/",
        views.publish_version,
        name="publish_version",
    ),
    path(
        "configuration/documents/<slug:kind>/<slug:code>/v<int:version>/discard/",
        views.discard_version,
        name="discard_version",
    ),
    path("configuration/changes/<uuid:public_id>/", views.change, name="change"),
    path("configuration/changes/<uuid:public_id>/edit/", views.edit_draft, name="edit"),
    path("configuration/changes/<uuid:public_id>/review/", views.review, name="review"),
    path("configuration/changes/<uuid:public_id>/publish/", views.publish, name="publish"),
    path("configuration/changes/<uuid:public_id>/discard/", views.discard, name="discard"),
    path("configuration/<slug:kind>/<slug:key>/", views.row, name="row"),
    path("configuration/<slug:kind>/<slug:key>/draft/", views.new_draft, name="new_draft"),
]
