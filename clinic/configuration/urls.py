from django.urls import path

from clinic.configuration import views

app_name = "configuration"

# A configured row is named by its kind and key: a protocol's number, a route, or "clinic" for a
# policy's one row. These are reference data every clinician reads, not records of a person.
urlpatterns = [
    path("configuration/", views.home, name="home"),
    path("configuration/clinic-policy/", views.unverified, name="unverified"),
    path("configuration/clinic-policy/<slug:key>/accept/", views.accept, name="accept"),
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
    path("configuration/changes/<uuid:public_id>/", views.change, name="change"),
    path("configuration/changes/<uuid:public_id>/edit/", views.edit_draft, name="edit"),
    path("configuration/changes/<uuid:public_id>/review/", views.review, name="review"),
    path("configuration/changes/<uuid:public_id>/publish/", views.publish, name="publish"),
    path("configuration/changes/<uuid:public_id>/discard/", views.discard, name="discard"),
    path("configuration/<slug:kind>/<slug:key>/", views.row, name="row"),
    path("configuration/<slug:kind>/<slug:key>/draft/", views.new_draft, name="new_draft"),
]
