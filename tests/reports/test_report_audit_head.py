"""Every court report prints the audit chain's head at the time it was made: a copy of the head
outside the database, which `audit_verify --expect-head` checks later."""

import re

from django.urls import reverse

from audit.models import AuditEvent
from tests.audit.test_chain import verify
from tests.reports.test_dossier_report import pdf_text


def head_before(event: AuditEvent) -> AuditEvent:
    return AuditEvent.objects.filter(id__lt=event.pk).order_by("-id").first()


def test_the_html_report_prints_the_chain_head_it_was_made_at(client, prosecutor, report_dossier):
    client.force_login(prosecutor)
    page = client.get(reverse("dossier_report", args=[report_dossier["dossier"].pk])).content.decode()
    generated = AuditEvent.objects.filter(action="report.dossier").latest("id")
    head = head_before(generated)  # the report's own event is appended after it is rendered
    printed = re.search(r'data-field="audit-head">(.*?)</td>', page, re.S).group(1)
    assert f"event {head.pk}," in printed and head.row_hash_hex in printed
    assert "verifies" in verify("--expect-head", head.row_hash_hex)  # the printed head checks the log


def test_the_pdf_report_and_the_custody_sheet_print_it_too(client, prosecutor, report_dossier, exhibit):
    client.force_login(prosecutor)
    for url, action in (
        (reverse("dossier_report_pdf", args=[report_dossier["dossier"].pk]), "report.dossier"),
        (reverse("custody_sheet_pdf", args=[exhibit.pk]), "report.custody"),
    ):
        text = "".join(pdf_text(client.get(url).content).split())
        head = head_before(AuditEvent.objects.filter(action=action).latest("id"))
        assert head.row_hash_hex in text, action
