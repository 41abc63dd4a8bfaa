from django.contrib import admin
from django.urls import include, path

from accounts.views import LoginView, LogoutView
from audit.views import audit_log
from cases import views as cases_views
from evidence import views as evidence_views
from hashing import views as hashing_views

urlpatterns = [
    path("", cases_views.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dossiers/new/", cases_views.dossier_new, name="dossier_new"),
    path("dossiers/<int:pk>/", cases_views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:dossier_pk>/exhibits/new/", evidence_views.exhibit_new, name="exhibit_new"),
    path("exhibits/<int:pk>/", evidence_views.exhibit_detail, name="exhibit_detail"),
    path("exhibits/<int:pk>/ingest/", evidence_views.exhibit_ingest, name="exhibit_ingest"),
    path("jobs/<int:pk>/progress/", evidence_views.job_progress, name="job_progress"),
    path("files/<int:pk>/", evidence_views.file_detail, name="file_detail"),
    path("lists/", hashing_views.hashlist_index, name="hashlist_index"),
    path("lists/import/", hashing_views.hashlist_import, name="hashlist_import"),
    path("lists/<int:pk>/", hashing_views.hashlist_detail, name="hashlist_detail"),
    path("lists/versions/<int:pk>/progress/", hashing_views.version_progress, name="version_progress"),
    path("lists/versions/<int:pk>/preview/", hashing_views.version_preview, name="version_preview"),
    path("lists/versions/<int:pk>/cancel/", hashing_views.version_cancel, name="version_cancel"),
    path("lists/versions/<int:pk>/activate/", hashing_views.version_activate, name="version_activate"),
    path("lists/versions/<int:pk>/diff.csv", hashing_views.version_diff_csv, name="version_diff_csv"),
    path("lists/notices/<int:pk>/seen/", hashing_views.rematch_notice_seen, name="rematch_notice_seen"),
    path("audit/", audit_log, name="audit_log"),
    path("admin/", admin.site.urls),
]
