"""A real Celery worker on Redis renders an issued cohort; a task run twice changes nothing; a worker killed in
the middle of a chunk loses nothing and duplicates nothing."""

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from certificates.models import Certificate, SerialCounter
from certificates.services import cohort_issue_certificates
from certificates.storage import private_storage
from certificates.tasks import render_certificates
from tests.factories import EnrolmentFactory, StaffMemberFactory
from tests.factories_certificates import (
    PRISON_WORDS,
    IssuerFactory,
    certified_cohort,
    decode_qr,
    finish,
    graduate,
    registrar_for,
)

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = [("Јелена", "Петровић"), ("Arta", "Krasniqi"), ("Мирјана", "Јовановић"), ("Qëndresa", "Zeka")]


def _wait_until_rendered(queryset, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not queryset.filter(status=Certificate.Status.PENDING).exists():
            return
        time.sleep(0.3)
    raise AssertionError(f"still pending after {timeout} s: {list(queryset.values_list('serial', 'status'))}")


@pytest.fixture
def cleanup_files():
    """The worker writes to the configured private folder (it cannot see the test's settings): remove what the
    test made there."""
    names: list[str] = []
    yield names
    storage = private_storage()
    for name in names:
        if name:
            storage.delete(name)


def _issue(count_people=PEOPLE):
    issuer = IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")
    cohort, sessions = certified_cohort(issuer=issuer)
    for first, last in count_people:
        graduate(cohort, sessions, first_name=first, last_name=last)
    return issuer, cohort, sessions


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_an_issued_cohort_and_a_second_run_changes_nothing(celery_worker_process, cleanup_files, tmp_path):
    issuer, cohort, sessions = _issue()
    staff = StaffMemberFactory(first_name="Бранислав", last_name="Јанковић")
    finish(EnrolmentFactory(cohort=cohort, inmate=None, staff_member=staff), sessions, attended=len(sessions))
    registrar = registrar_for(issuer.organisation)

    # Committed in its own transaction (transaction=True): the tasks are sent after the commit.
    batch = cohort_issue_certificates(cohort=cohort, by=registrar)
    _wait_until_rendered(batch.certificates.all())

    certificates = list(batch.certificates.order_by("serial_number"))
    cleanup_files.extend(c.pdf.name for c in certificates)
    assert [c.status for c in certificates] == ["ready"] * 5
    assert [c.serial for c in certificates] == [f"VTC-PZ-{dt.date.today().year}-{n:06d}" for n in range(1, 6)]
    facility = cohort.facility
    for certificate in certificates:
        with private_storage().open(certificate.pdf.name, "rb") as handle:
            pdf = handle.read()
        reader = PdfReader(io.BytesIO(pdf))
        text = reader.pages[0].extract_text()
        assert len(reader.pages) == 1
        assert certificate.serial in text
        assert certificate.holder_name in text
        assert facility.name not in text
        assert [word for words in PRISON_WORDS.values() for word in words if word in text.lower()] == []
    assert decode_qr(pdf, tmp_path) == f"{settings.SITE_URL}/verify/{certificates[-1].verification_token}/"
    assert {c.holder_name for c in certificates} == {
        "Јелена Петровић", "Arta Krasniqi", "Мирјана Јовановић", "Qëndresa Zeka", "Бранислав Јанковић",
    }

    before = {c.pk: (c.pdf.name, c.pdf_sha256, c.rendered_at, c.render_attempts) for c in certificates}
    mtimes = {pk: os.stat(private_storage().path(name)).st_mtime_ns for pk, (name, *_rest) in before.items()}
    ids = [c.pk for c in certificates]

    again = render_certificates.delay(ids).get(timeout=60)

    assert again == {"done": 0, "failed": 0, "skipped": 5}
    after = {c.pk: (c.pdf.name, c.pdf_sha256, c.rendered_at, c.render_attempts) for c in Certificate.objects.filter(pk__in=ids)}
    assert after == before
    assert {pk: os.stat(private_storage().path(name)).st_mtime_ns for pk, (name, *_rest) in before.items()} == mtimes
    assert Certificate.objects.count() == 5
    assert SerialCounter.objects.get(issuer=issuer).last_number == 5


# Certificates in the batch whose worker is killed: enough for its task to run a few seconds (about 20 ms each; a
# fast machine rendered 30 of them before the kill came).
KILLED_BATCH = 120


def _worker_env() -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return env


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_chunk_loses_and_duplicates_nothing(cleanup_files):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis")
    from rehab.celery import app

    people = [(f"Participant{n}", f"Surname{n}") for n in range(KILLED_BATCH)]
    issuer, cohort, _ = _issue(people)
    batch = cohort_issue_certificates(cohort=cohort, by=None, enqueue=False)
    ids = list(batch.certificates.order_by("pk").values_list("pk", flat=True))
    # Queued by hand below, to this test's own queue: say so, or a starting worker would queue them as waiting.
    Certificate.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    queue = f"certificates-kill-test-{os.getpid()}"
    hostname = f"kill-{os.getpid()}@%h"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rehab", "worker", "--pool", "prefork", "--concurrency", "1",
         "-Q", queue, "-n", hostname, "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=_worker_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        name = hostname.replace("%h", os.uname().nodename)
        # One task with all the certificates: long enough to be killed half-way through.
        render_certificates.apply_async(args=[ids], queue=queue)
        deadline = time.monotonic() + 60
        child = None
        while child is None and time.monotonic() < deadline:
            active = (app.control.inspect([name], timeout=1.0).active() or {}).get(name) or []
            child = active[0]["worker_pid"] if active else None
        assert child is not None, "the worker never started the task"
        time.sleep(0.3)
        os.kill(child, signal.SIGKILL)
        # Killed mid-chunk: nothing of that attempt was committed.
        assert Certificate.objects.filter(pk__in=ids, status=Certificate.Status.PENDING).count() == KILLED_BATCH

        _wait_until_rendered(Certificate.objects.filter(pk__in=ids), timeout=180)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    certificates = list(Certificate.objects.filter(pk__in=ids).order_by("serial_number"))
    cleanup_files.extend(c.pdf.name for c in certificates)
    assert [c.status for c in certificates] == ["ready"] * KILLED_BATCH
    assert [c.serial_number for c in certificates] == list(range(1, KILLED_BATCH + 1))
    # The killed attempt's work was rolled back with its transaction: each certificate was rendered once.
    assert {c.render_attempts for c in certificates} == {1}
    assert Certificate.objects.count() == KILLED_BATCH
    assert SerialCounter.objects.get(issuer=issuer).last_number == KILLED_BATCH
    folder = Path(private_storage().path(f"certificates/{issuer.pk}/{dt.date.today().year}"))
    expected = {Path(c.pdf.name).name for c in certificates}
    assert expected <= {p.name for p in folder.iterdir()}
    for leftover in folder.glob(".*.part"):
        leftover.unlink()
