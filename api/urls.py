from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.authentication import SessionAuthentication

from api import views
from api.authentication import ApiTokenAuthentication


class IdConverter:
    """A row id: at most 18 digits, so that it always fits PostgreSQL's bigint (a longer one is a 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

app_name = "api"

v1 = [
    path("dossiers/", views.DossierList.as_view(), name="dossier_list"),
    path("dossiers/<id:pk>/", views.DossierDetail.as_view(), name="dossier_detail"),
    path("dossiers/<id:pk>/exhibits/", views.DossierExhibits.as_view(), name="dossier_exhibits"),
    path("dossiers/<id:pk>/suspects/", views.DossierSuspects.as_view(), name="dossier_suspects"),
    path("dossiers/<id:pk>/files/", views.DossierFiles.as_view(), name="dossier_files"),
    path("exhibits/<id:pk>/", views.ExhibitDetail.as_view(), name="exhibit_detail"),
    path("exhibits/<id:pk>/files/", views.ExhibitFiles.as_view(), name="exhibit_files"),
    path("exhibits/<id:pk>/hashes/", views.ExhibitHashes.as_view(), name="exhibit_hashes"),
    path("exhibits/<id:pk>/ingest/", views.ExhibitIngest.as_view(), name="exhibit_ingest"),
    path("jobs/<id:pk>/", views.JobDetail.as_view(), name="job_detail"),
    path("files/<id:pk>/", views.FileDetail.as_view(), name="file_detail"),
    path("hashes/lookup/", views.HashLookup.as_view(), name="hash_lookup"),
]

urlpatterns = [
    path("v1/", include(v1)),
    # The schema describes the API, no data: any logged-in user (verified session) or token.
    path(
        "schema/",
        SpectacularJSONAPIView.as_view(authentication_classes=[ApiTokenAuthentication, SessionAuthentication]),
        name="schema",
    ),
    path("docs/", views.api_docs, name="docs"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
