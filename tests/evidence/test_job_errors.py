"""A job's error text names files: the progress pages show it to the investigating team only."""

from django.urls import reverse

from evidence.models import IngestJob

SECRET_UPLOAD = "secret-upload-of-the-suspect.zip"
ERROR = f"Could not list the source: [Errno 2] No such file or directory: '/evidence/{SECRET_UPLOAD}'"


def failed_job(exhibit, by):
    return IngestJob.objects.create(
        exhibit=exhibit, source_label=f"upload: {SECRET_UPLOAD}", created_by=by, status="failed", error=ERROR
    )


def test_a_prosecutor_reads_no_job_error_on_the_progress_and_exhibit_pages(client, owner, prosecutor, exhibit):
    job = failed_job(exhibit, owner)
    client.force_login(prosecutor)
    for url in (reverse("job_progress", args=[job.pk]), reverse("exhibit_detail", args=[exhibit.pk])):
        page = client.get(url).content.decode()
        assert f'id="job-{job.pk}"' in page
        assert SECRET_UPLOAD not in page
        assert "its text names files and is for the investigating team" in page


def test_the_owner_reads_the_job_error_on_the_progress_and_exhibit_pages(client, owner, exhibit):
    job = failed_job(exhibit, owner)
    client.force_login(owner)
    for url in (reverse("job_progress", args=[job.pk]), reverse("exhibit_detail", args=[exhibit.pk])):
        assert ERROR.replace("'", "&#x27;") in client.get(url).content.decode()
