"""Need-to-know: who may open which page. Every refusal has a control case that succeeds."""

from django.urls import reverse


def dossier_urls(dossier, exhibit, evidence_file):
    return {
        "dossier": reverse("dossier_detail", args=[dossier.pk]),
        "exhibit_new": reverse("exhibit_new", args=[dossier.pk]),
        "exhibit": reverse("exhibit_detail", args=[exhibit.pk]),
        "ingest": reverse("exhibit_ingest", args=[exhibit.pk]),
        "job_progress": reverse("job_progress", args=[evidence_file.job_id]),
        "file": reverse("file_detail", args=[evidence_file.pk]),
    }


def test_outsider_gets_404_on_every_dossier_exhibit_job_and_file_url(
    client, outsider, other_dossier, owner, dossier, exhibit, evidence_file
):
    urls = dossier_urls(dossier, exhibit, evidence_file)
    client.force_login(outsider)
    assert {name: client.get(url).status_code for name, url in urls.items()} == dict.fromkeys(urls, 404)
    assert client.get(reverse("dossier_detail", args=[other_dossier.pk])).status_code == 200  # control
    client.force_login(owner)  # control: the same URLs open for the dossier's lead
    assert {name: client.get(url).status_code for name, url in urls.items()} == dict.fromkeys(urls, 200)


def test_admin_without_membership_sees_no_dossier(client, admin, owner, dossier, exhibit, evidence_file):
    client.force_login(admin)
    assert client.get(reverse("dossier_detail", args=[dossier.pk])).status_code == 404
    assert client.get(reverse("file_detail", args=[evidence_file.pk])).status_code == 404
    assert dossier.notice_number not in client.get(reverse("home")).content.decode()
    client.force_login(owner)
    assert dossier.notice_number in client.get(reverse("home")).content.decode()


def test_prosecutor_reads_status_and_totals_but_no_files_and_cannot_write(
    client, prosecutor, colleague, dossier, exhibit, evidence_file
):
    urls = dossier_urls(dossier, exhibit, evidence_file)
    client.force_login(prosecutor)
    page = client.get(urls["dossier"])
    assert page.status_code == 200 and b'data-testid="dossier-status"' in page.content
    exhibit_page = client.get(urls["exhibit"])
    assert exhibit_page.status_code == 200 and b"photo.jpg" not in exhibit_page.content
    assert b'data-state="new_image"' in exhibit_page.content
    for name in ("exhibit_new", "ingest", "file"):
        assert client.get(urls[name]).status_code == 403, name
    assert client.post(urls["exhibit_new"], {"kind": "phone", "seal_number": "X"}).status_code == 403
    client.force_login(colleague)  # control: an investigator of the team may
    assert b"photo.jpg" in client.get(urls["exhibit"]).content
    for name in ("exhibit_new", "ingest", "file"):
        assert client.get(urls[name]).status_code == 200, name


def test_only_investigators_open_dossiers(client, prosecutor, owner):
    client.force_login(prosecutor)
    assert client.get(reverse("dossier_new")).status_code == 403
    client.force_login(owner)
    assert client.get(reverse("dossier_new")).status_code == 200


def test_anonymous_users_are_sent_to_the_login_page(client, dossier):
    response = client.get(reverse("dossier_detail", args=[dossier.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_one_rule_says_who_sees_files_and_every_path_follows_it(
    client, owner, colleague, prosecutor, outsider, admin, dossier, evidence_file
):
    from cases.selectors import can_see_files

    assert [can_see_files(user, dossier) for user in (owner, colleague)] == [True, True]
    assert [can_see_files(user, dossier) for user in (prosecutor, outsider, admin)] == [False, False, False]
    for user, sees in ((colleague, True), (prosecutor, False)):
        client.force_login(user)
        page = client.get(reverse("dossier_files", args=[dossier.pk]))
        assert page.status_code == 200 and (evidence_file.path in page.content.decode()) is sees
        file_page = client.get(reverse("file_detail", args=[evidence_file.pk]))
        assert file_page.status_code == (200 if sees else 403)
