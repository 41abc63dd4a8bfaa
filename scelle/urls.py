from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import (
    LoginView,
    LogoutView,
    second_factor,
    security_key_login_options,
    security_key_login_verify,
    security_key_options,
    security_key_register_view,
    security_key_remove_view,
    security_keys,
    two_factor_qr,
    two_factor_setup,
)
from api.web import api_token_revoke_view, api_tokens
from cases import views as cases_views
from cases.selectors import audit_scope_for
from detectors import views as detector_views
from evidence import dossier_views, face_views
from evidence import views as evidence_views
from evidence.custody import views as custody_views
from evidence.ingest import source_grant_views
from evidence.review import views as review_views
from evidence.search import keyword_views
from evidence.search import views as search_views
from evidence.triage import list_views
from scelle.health import ScelleHealthView
from scelle.views import audit_log, metrics, operations_page

urlpatterns = [
    path("", dossier_views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("img/seal.svg"), permanent=True), name="favicon"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("login/verify/", second_factor, name="second_factor"),
    path("account/two-factor/", two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/qr.svg", two_factor_qr, name="two_factor_qr"),
    path("login/key/options/", security_key_login_options, name="security_key_login_options"),
    path("login/key/verify/", security_key_login_verify, name="security_key_login_verify"),
    path("account/two-factor/keys/", security_keys, name="security_keys"),
    path("account/two-factor/keys/options/", security_key_options, name="security_key_options"),
    path("account/two-factor/keys/register/", security_key_register_view, name="security_key_register"),
    path("account/two-factor/keys/<int:pk>/remove/", security_key_remove_view, name="security_key_remove"),
    path("account/api-tokens/", api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", api_token_revoke_view, name="api_token_revoke"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dossiers/new/", cases_views.dossier_new, name="dossier_new"),
    path("board/", dossier_views.board, name="board"),
    path("board/export.csv", dossier_views.board_export, name="board_export"),
    path("dossiers/<int:pk>/", dossier_views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/edit/", cases_views.dossier_edit, name="dossier_edit"),
    path("dossiers/<int:pk>/status/", cases_views.dossier_status, name="dossier_status"),
    path("dossiers/<int:pk>/team/", cases_views.team_add, name="team_add"),
    path("dossiers/<int:pk>/team/<int:membership_pk>/", cases_views.team_change, name="team_change"),
    path("dossiers/<int:pk>/searches/", cases_views.dossier_searches, name="dossier_searches"),
    path("dossiers/<int:pk>/searches/new/", cases_views.search_new, name="search_new"),
    path("dossiers/<int:pk>/exhibits/", dossier_views.dossier_exhibits, name="dossier_exhibits"),
    path("dossiers/<int:pk>/suspects/", cases_views.dossier_suspects, name="dossier_suspects"),
    path("dossiers/<int:pk>/suspects/new/", cases_views.suspect_new, name="suspect_new"),
    path("dossiers/<int:pk>/files/", dossier_views.dossier_files, name="dossier_files"),
    # Content search (issue 23).
    path("dossiers/<int:pk>/find/", search_views.dossier_text_search, name="dossier_text_search"),
    path("dossiers/<int:pk>/find/index/", search_views.text_index_start, name="text_index_start"),
    path("dossiers/<int:pk>/find/index/<int:job_pk>/", search_views.text_index_progress, name="text_index_progress"),
    path("exhibits/<int:pk>/text-language/", search_views.exhibit_text_language, name="exhibit_text_language"),
    path("exhibits/<int:pk>/ocr/", search_views.exhibit_ocr, name="exhibit_ocr"),
    path("dossiers/<int:pk>/find/keywords/", keyword_views.dossier_keywords, name="dossier_keywords"),
    path("dossiers/<int:pk>/find/keywords/new/", keyword_views.keyword_list_new, name="keyword_list_new"),
    path(
        "dossiers/<int:pk>/find/keywords/<int:list_pk>/", keyword_views.keyword_list_detail, name="keyword_list_detail"
    ),
    path("dossiers/<int:pk>/find/keywords/<int:list_pk>/run/", keyword_views.keyword_list_run, name="keyword_list_run"),
    path(
        "dossiers/<int:pk>/find/keyword-runs/<int:run_pk>/",
        keyword_views.keyword_run_progress,
        name="keyword_run_progress",
    ),
    path(
        "dossiers/<int:pk>/find/keyword-runs/<int:run_pk>/hits.csv",
        keyword_views.keyword_run_export,
        name="keyword_run_export",
    ),
    path("dossiers/<int:pk>/timeline/", dossier_views.dossier_timeline_view, name="dossier_timeline"),
    path("dossiers/<int:pk>/devices/", dossier_views.dossier_devices_view, name="dossier_devices"),
    path("dossiers/<int:pk>/faces/", face_views.dossier_faces_view, name="dossier_faces"),
    path("faces/<int:pk>/", face_views.face_detail, name="face_detail"),
    path("faces/<int:pk>/crop/", face_views.face_crop, name="face_crop"),
    path("dossiers/<int:pk>/places/", dossier_views.dossier_places_view, name="dossier_places"),
    path("dossiers/<int:pk>/identifiers/", dossier_views.dossier_identifiers_view, name="dossier_identifiers"),
    path(
        "dossiers/<int:pk>/identifiers/export.csv",
        dossier_views.dossier_identifiers_export,
        name="dossier_identifiers_export",
    ),
    path("dossiers/<int:pk>/places.geojson", dossier_views.dossier_places_data, name="dossier_places_data"),
    path(
        "dossiers/<int:pk>/places/export.<str:kind>",
        dossier_views.dossier_places_export,
        name="dossier_places_export",
    ),
    path("dossiers/<int:pk>/audit/", cases_views.dossier_audit, name="dossier_audit"),
    # Review and sharing (issue 5).
    path("dossiers/<int:pk>/review/", review_views.dossier_review, name="dossier_review"),
    path("dossiers/<int:pk>/review/categorise/", review_views.review_categorise, name="review_categorise"),
    path("dossiers/<int:pk>/review/four-eyes/", review_views.review_four_eyes, name="review_four_eyes"),
    path("dossiers/<int:pk>/review/alert-list/", review_views.review_alert_list, name="review_alert_list"),
    path("dossiers/<int:pk>/review/detection/", review_views.detection_job_start, name="detection_job_start"),
    path(
        "dossiers/<int:pk>/review/detection/<int:job_pk>/",
        review_views.detection_job_progress,
        name="detection_job_progress",
    ),
    path("dossiers/<int:pk>/export/vics.json", review_views.export_vics, name="export_vics"),
    path("dossiers/<int:pk>/export/icse.csv", review_views.export_icse, name="export_icse"),
    path("account/review-settings/", review_views.reviewer_settings, name="reviewer_settings"),
    path("searches/<int:pk>/", cases_views.search_detail, name="search_detail"),
    path("searches/<int:pk>/exhibits/bulk/", custody_views.exhibits_bulk, name="exhibits_bulk"),
    path("suspects/<int:pk>/", cases_views.suspect_detail, name="suspect_detail"),
    path("suspects/<int:pk>/status/", cases_views.suspect_status, name="suspect_status"),
    path("dossiers/<int:dossier_pk>/exhibits/new/", custody_views.exhibit_new, name="exhibit_new"),
    path("exhibits/<int:pk>/", custody_views.exhibit_detail, name="exhibit_detail"),
    path("exhibits/<int:pk>/custody/new/", custody_views.custody_new, name="custody_new"),
    path("exhibits/<int:pk>/custody/sheet/", custody_views.custody_sheet, name="custody_sheet"),
    path("exhibits/<int:pk>/acquisitions/new/", custody_views.acquisition_new, name="acquisition_new"),
    path("exhibits/<int:pk>/ingest/", evidence_views.exhibit_ingest, name="exhibit_ingest"),
    path("exhibits/<int:pk>/ingest/server/", evidence_views.exhibit_ingest_server, name="exhibit_ingest_server"),
    path("exhibits/<int:pk>/uploads/", evidence_views.upload_start, name="upload_start"),
    path("exhibits/<int:pk>/uploads/finish/", evidence_views.upload_finish, name="upload_finish"),
    path("uploads/<uuid:pk>/", evidence_views.upload_status, name="upload_status"),
    path("uploads/<uuid:pk>/chunk/", evidence_views.upload_chunk, name="upload_chunk"),
    path("jobs/<int:pk>/progress/", evidence_views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/cancel/", evidence_views.job_cancel, name="job_cancel"),
    path("files/<int:pk>/", evidence_views.file_detail, name="file_detail"),
    path("files/<int:pk>/thumbnail/", evidence_views.file_thumbnail, name="file_thumbnail"),
    path("detectors/", detector_views.detector_index, name="detector_index"),
    path("detectors/<int:pk>/enable/", detector_views.classifier_enable, name="classifier_enable"),
    path("lists/", list_views.hashlist_index, name="hashlist_index"),
    path("lists/import/", list_views.hashlist_import, name="hashlist_import"),
    path("lists/<int:pk>/", list_views.hashlist_detail, name="hashlist_detail"),
    path("lists/versions/<int:pk>/progress/", list_views.version_progress, name="version_progress"),
    path("lists/versions/<int:pk>/preview/", list_views.version_preview, name="version_preview"),
    path("lists/versions/<int:pk>/cancel/", list_views.version_cancel, name="version_cancel"),
    path("lists/versions/<int:pk>/activate/", list_views.version_activate, name="version_activate"),
    path("lists/versions/<int:pk>/diff.csv", list_views.version_diff_csv, name="version_diff_csv"),
    path("lists/notices/<int:pk>/seen/", list_views.rematch_notice_seen, name="rematch_notice_seen"),
    path("evidence-folders/", source_grant_views.source_grants, name="source_grants"),
    path("evidence-folders/<int:pk>/revoke/", source_grant_views.source_grant_revoke_view, name="source_grant_revoke"),
    # The log is the audit app's; which dossiers' names an admin may read is the dossier layer's rule.
    path("audit/", audit_log, {"read_scope": audit_scope_for}, name="audit_log"),
    path("health/", ScelleHealthView.as_view(), name="health"),
    path("metrics", metrics, name="metrics"),
    path("operations/", operations_page, name="operations"),
    path("", include("reports.urls")),
    path("", include("chats.urls")),
    path("admin/", admin.site.urls),
    # The REST API (v1), its OpenAPI schema and its documentation page.
    path("api/", include("api.urls")),
]
