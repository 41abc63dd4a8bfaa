"""GET /api/v1/jobs/{id}/: a job's error text names files, so prosecutors get it masked; counts stay."""

from django.urls import reverse

from evidence.models import IngestJob

SECRET_UPLOAD = "secret-upload-of-the-suspect.zip"
ERROR = f"Could not list the source: [Errno 2] No such file or directory: '/evidence/{SECRET_UPLOAD}'"


def failed_job(exhibit, by):
    return IngestJob.objects.create(
        exhibit=exhibit,
        source_label=f"upload: {SECRET_UPLOAD}",
        created_by=by,
        status="failed",
        error=ERROR,
        files_total=3,
    )


def test_a_prosecutor_reads_no_job_error_through_the_api(token_client, owner, prosecutor, exhibit):
    job = failed_job(exhibit, owner)
    response = token_client(prosecutor).get(reverse("api:job_detail", args=[job.pk]))
    assert response.status_code == 200
    assert SECRET_UPLOAD not in response.content.decode()
    body = response.json()
    assert body["status"] == "failed" and body["files_total"] == 3
    assert body["error"] == "hidden: file names are for the investigating team"


def test_an_investigating_member_reads_the_job_error_through_the_api(token_client, owner, colleague, exhibit):
    job = failed_job(exhibit, owner)
    body = token_client(colleague).get(reverse("api:job_detail", args=[job.pk])).json()
    assert body["error"] == ERROR and body["files_total"] == 3
