import datetime
import re

from django.urls import reverse
from django.utils import timezone

from cases.models import Dossier, Membership
from evidence.models import EvidenceFile
from tests.factories import make_dossier


def cell(page: str, table: str, month: str, key: str) -> int:
    """The figure in table ``table``, row ``month``, column ``key``."""
    body = page.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0]
    row = body.split(f'data-month="{month}"', 1)[1].split("</tr>", 1)[0]
    return int(re.search(rf'data-key="{key}">(\d+)<', row).group(1))


def test_statistics_count_the_dossiers_and_files_the_prosecutor_sees(
    client, prosecutor, owner, outsider, report_dossier, other_dossier
):
    # Three dossiers read by the prosecutor: this month (the fixture's, opened), and two in January 2026.
    january = datetime.date(2026, 1, 15)
    for number, status in (("000010", Dossier.Status.POSITIVE), ("000011", Dossier.Status.CLOSED)):
        dossier = make_dossier(owner, notice_number=f"BR.52.L1.{number}/26")
        Dossier.objects.filter(pk=dossier.pk).update(opened_on=january, status=status)
        Membership.objects.create(dossier=dossier, user=prosecutor, role=Membership.Role.PROSECUTOR)
    # A file processed in March 2026 in the fixture's dossier; the outsider's dossier is not counted.
    EvidenceFile.objects.filter(triage="error").update(
        processed_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    )
    Dossier.objects.filter(pk=other_dossier.pk).update(opened_on=january)

    client.force_login(prosecutor)
    page = client.get(reverse("statistics")).content.decode()
    this_month = timezone.localdate().strftime("%Y-%m")
    assert cell(page, "dossiers", "2026-01", "positive") == 1
    assert cell(page, "dossiers", "2026-01", "closed") == 1
    assert cell(page, "dossiers", "2026-01", "total") == 2
    assert cell(page, "dossiers", "2026-02", "total") == 0  # every month between, even empty
    assert cell(page, "dossiers", this_month, "opened") == 1
    assert cell(page, "files", "2026-03", "error") == 1
    assert cell(page, "files", this_month, "known") == 3
    assert cell(page, "files", this_month, "new_image") == 2
    triage = page.split('data-table="triage"', 1)[1]
    assert re.search(r'data-state="known">.*?data-count>3<', triage, re.S)
    assert re.search(r'data-state="new_image">.*?data-count>2<', triage, re.S)


def test_statistics_charts_are_inline_svg_without_style_or_script(client, owner, report_dossier):
    client.force_login(owner)
    page = client.get(reverse("statistics")).content.decode()
    assert page.count("<svg") == 2
    svg = page[page.index("<svg") : page.rindex("</svg>")]
    assert 'data-key="known" data-count="3"' in svg
    assert "style" not in svg and "<script" not in svg


def test_statistics_link_in_the_navigation(client, prosecutor, admin):
    client.force_login(prosecutor)
    assert reverse("statistics") in client.get(reverse("home")).content.decode()
    client.force_login(admin)
    assert reverse("statistics") not in client.get(reverse("home")).content.decode()
