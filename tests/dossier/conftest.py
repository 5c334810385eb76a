import pytest
from django.urls import reverse

from reserve.models import Job

from ..helpers import page

ZIP_URL = "/pool/dossiers.zip"


@pytest.fixture
def zip_download(client, django_capture_on_commit_callbacks):
    """POST the batch form as the signed-in user, let the job run (the tests' worker runs it at once), and answer
    the download of the ZIP from the job's page, as the user would get it."""

    def download(data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ZIP_URL, data)
        assert response.status_code == 302, page(response)
        job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
        assert (job.kind, job.status) == ("dossier.zip", Job.Status.DONE), job.message
        return client.get(reverse("job_download", args=[job.pk]))

    return download
