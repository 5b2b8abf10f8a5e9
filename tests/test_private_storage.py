"""Certificate PDFs and print packs in an S3-compatible bucket (django-storages), as on several machines: a
worker's PDF is stored privately in the bucket and the permission-checked views serve it; nothing has a URL.
The bucket is moto's S3 server on 127.0.0.1."""

import io
import zipfile

import boto3
import pytest
from django.conf import settings
from django.urls import reverse
from moto.server import ThreadedMotoServer
from pypdf import PdfReader

from certificates.models import Certificate, PrintPack
from certificates.services import certificates_render, cohort_issue_certificates, print_pack_build, print_pack_request
from rehab.storage import private_storage
from tests.factories_certificates import IssuerFactory, certified_cohort, graduate, registrar_for

BUCKET = "rehab-private-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "rehab.storage.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "access_key": "test", "secret_key": "test",
                "region_name": "us-east-1", "location": "rehab",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _object(client, name: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=f"rehab/{name}")["Body"].read()


@pytest.mark.django_db
def test_certificates_and_print_packs_live_in_the_bucket_and_are_served_only_through_the_views(bucket, client):
    issuer = IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")
    cohort, sessions = certified_cohort(issuer=issuer)
    graduate(cohort, sessions, first_name="Јелена", last_name="Петровић")
    graduate(cohort, sessions, first_name="Arta", last_name="Krasniqi")
    batch = cohort_issue_certificates(cohort=cohort, by=None, enqueue=False)
    ids = list(batch.certificates.order_by("serial_number").values_list("pk", flat=True))

    result = certificates_render(certificate_ids=ids)

    assert (result.done, result.failed) == (2, 0)
    assert type(private_storage()._wrapped).__name__ == "PrivateS3Storage"
    keys = sorted(item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"])
    certificates = list(Certificate.objects.filter(pk__in=ids).order_by("serial_number"))
    assert keys == sorted(f"rehab/{c.pdf.name}" for c in certificates)
    stored = _object(bucket, certificates[0].pdf.name)
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 1
    assert certificates[0].holder_name in reader.pages[0].extract_text()
    assert {c.holder_name for c in certificates} == {"Јелена Петровић", "Arta Krasniqi"}
    acl = bucket.get_object_acl(Bucket=BUCKET, Key=f"rehab/{certificates[0].pdf.name}")
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]  # the owner only: private
    with pytest.raises(ValueError, match="Private files have no URL"):
        _ = certificates[0].pdf.url

    client.force_login(registrar_for(issuer.organisation))
    response = client.get(reverse("certificates:certificate_download", kwargs={"pk": certificates[0].pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored

    pack = print_pack_build(pack_id=print_pack_request(cohort=cohort, kind=PrintPack.Kind.ZIP, by=None).pk)
    assert pack.status == PrintPack.Status.READY
    with zipfile.ZipFile(io.BytesIO(_object(bucket, pack.file.name))) as archive:
        assert sorted(archive.namelist()) == sorted(f"{c.serial} {c.holder_name}.pdf" for c in certificates)
    response = client.get(reverse("certificates:print_pack_download", kwargs={"pk": pack.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _object(bucket, pack.file.name)


@pytest.mark.django_db
def test_rendering_twice_to_the_bucket_keeps_one_object_per_certificate(bucket):
    issuer = IssuerFactory()
    cohort, sessions = certified_cohort(issuer=issuer)
    graduate(cohort, sessions, first_name="Drita", last_name="Gashi")
    batch = cohort_issue_certificates(cohort=cohort, by=None, enqueue=False)
    certificate = batch.certificates.get()
    certificates_render(certificate_ids=[certificate.pk])
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.PENDING)

    certificates_render(certificate_ids=[certificate.pk])

    certificate.refresh_from_db()
    assert [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]] == [f"rehab/{certificate.pdf.name}"]
    assert settings.STORAGES["private"]["BACKEND"] == "rehab.storage.PrivateS3Storage"
