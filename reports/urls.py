from functools import partial

from django.urls import path

from reports import views

urlpatterns = [
    path("dossiers/<int:pk>/report/", views.dossier_report, name="dossier_report"),
    path("dossiers/<int:pk>/report.pdf", views.dossier_report_pdf, name="dossier_report_pdf"),
    path("dossiers/<int:pk>/report/verify/", views.dossier_report_verify, name="dossier_report_verify"),
    path("exhibits/<int:pk>/custody/sheet.pdf", views.custody_sheet_pdf, name="custody_sheet_pdf"),
    path("jobs/<int:pk>/report/", views.ingest_report, name="ingest_report"),
    path("jobs/<int:pk>/report.pdf", partial(views.ingest_report, pdf=True), name="ingest_report_pdf"),
    path("statistics/", views.statistics, name="statistics"),
]
