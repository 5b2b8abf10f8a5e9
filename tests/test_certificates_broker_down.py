"""Redis stopped: issuing a cohort still answers, the certificates wait, and once Redis is back a worker renders
every one of them exactly once (issue 7's resilience requirement for the certificate pipeline)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import certificates_requeue_pending
from tests.factories_certificates import IssuerFactory, certified_cohort, graduate, registrar_for

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = [("Јелена", "Петровић"), ("Arta", "Krasniqi"), ("Drita", "Gashi")]


class PrivateRedis:
    """A redis-server of our own on a free port, which the test can stop and start again."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker_at(settings, monkeypatch):
    """Point this process's Celery app at another broker for the test, and back afterwards."""
    from rehab.celery import app

    original = app.conf.broker_url

    def switch(url: str) -> None:
        # Celery reads CELERY_BROKER_URL from the environment before its configuration.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        settings.CELERY_BROKER_URL = url
        # Celery fills the read and write URLs in from the broker URL when it loads: point them too.
        app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
        app._after_fork()  # drop the pooled connections to the old broker

    yield switch
    switch(original)


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_issued_while_redis_is_down_waits_and_completes_when_it_is_back(
    client, private_redis, broker_at, tmp_path
):
    issuer = IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")
    cohort, sessions = certified_cohort(issuer=issuer)
    for first, last in PEOPLE:
        graduate(cohort, sessions, first_name=first, last_name=last)
    client.force_login(registrar_for(issuer.organisation))
    broker_at(private_redis.url)
    private_redis.stop()

    started = time.monotonic()
    response = client.post(reverse("certificates:cohort_issue", kwargs={"pk": cohort.pk}))

    assert response.status_code == 302
    assert time.monotonic() - started < 10
    certificates = Certificate.objects.filter(enrolment__cohort=cohort).order_by("serial_number")
    assert [(c.status, c.queued_at) for c in certificates] == [("pending", None)] * 3
    batch = certificates[0].batch
    page = client.get(reverse("certificates:batch_detail", kwargs={"pk": batch.pk}))
    assert page.status_code == 200
    assert "3 certificates are waiting for the task queue" in page.content.decode()

    # Redis is back and a worker starts: it queues what waited (worker_ready) and renders it.
    private_redis.start()
    db = connection.settings_dict
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": private_redis.url,
        "CELERY_RESULT_BACKEND": private_redis.url,
        "REHAB_VAR_DIR": str(tmp_path / "var"),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rehab", "worker", "--pool", "prefork", "--concurrency", "1",
         "-n", f"broker-down-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and certificates.filter(status=Certificate.Status.PENDING).exists():
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    rendered = list(certificates.all())
    assert [c.status for c in rendered] == ["ready"] * 3
    assert [c.serial_number for c in rendered] == [1, 2, 3]
    assert {c.render_attempts for c in rendered} == {1}
    assert all(c.queued_at is not None for c in rendered)
    assert Certificate.objects.count() == 3
    stored = sorted(p.name for p in (tmp_path / "var" / "private").rglob("*.pdf"))
    assert stored == sorted(Path(c.pdf.name).name for c in rendered)


@pytest.mark.django_db
def test_requeue_takes_the_waiting_and_the_stale_and_leaves_the_freshly_queued(settings, broker_at, private_redis):
    from django.utils import timezone

    from rehab.celery import app

    broker_at(private_redis.url)
    issuer = IssuerFactory()
    cohort, sessions = certified_cohort(issuer=issuer)
    for n in range(4):
        graduate(cohort, sessions, first_name=f"P{n}", last_name="Test")
    from certificates.services import cohort_issue_certificates

    batch = cohort_issue_certificates(cohort=cohort, by=None, enqueue=False)
    waiting, stale, fresh, ready = batch.certificates.order_by("pk")
    now = timezone.now()
    Certificate.objects.filter(pk=stale.pk).update(queued_at=now - timezone.timedelta(hours=2))
    Certificate.objects.filter(pk=fresh.pk).update(queued_at=now)
    Certificate.objects.filter(pk=ready.pk).update(status=Certificate.Status.FAILED, failure_reason="x")

    queued = certificates_requeue_pending()

    assert queued == 2
    client = redis.Redis.from_url(private_redis.url)
    messages = [client.lindex("celery", i) for i in range(client.llen("celery"))]
    assert len(messages) == 2  # a small batch goes out one certificate per task, so both workers start at once
    assert Certificate.objects.get(pk=waiting.pk).queued_at >= now
    assert Certificate.objects.get(pk=stale.pk).queued_at >= now
    assert Certificate.objects.get(pk=fresh.pk).queued_at == now
    app.control.purge()
