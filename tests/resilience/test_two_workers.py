"""Two worker processes with different hostnames on one issuance batch never duplicate work.

Twenty certificates are issued in chunks of two while two real workers ("alpha" and "beta") listen on the same
queue; the whole batch is then queued twice more, as a duplicate delivery would. Each certificate must be rendered
exactly once: one PDF each, gapless serials, one render attempt recorded, and the PDFs untouched by the duplicates.
"""

import datetime as dt
import logging
import os
import time

import pytest

from certificates.models import Certificate, SerialCounter
from certificates.services import cohort_issue_certificates
from certificates.tasks import render_certificates
from tests.factories_certificates import IssuerFactory, certified_cohort, graduate

logger = logging.getLogger(__name__)
PEOPLE = 20
TASK = "certificates.render_certificates"


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} not reached within {timeout} s")


def _tasks_done_per_worker(app, nodes: list[str]) -> dict[str, int]:
    stats = app.control.inspect(timeout=2.0).stats() or {}
    return {
        node: stats[name].get("total", {}).get(TASK, 0)
        for node in nodes for name in stats if name.startswith(f"{node}@")
    }


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_render_each_certificate_of_one_batch_exactly_once(start_worker, settings, tmp_path):
    from rehab.celery import app

    settings.PRIVATE_MEDIA_ROOT = tmp_path  # the workers get the same folder through their environment
    settings.CERTIFICATES_RENDER_CHUNK = 2
    app.control.purge()
    nodes = [f"alpha-{os.getpid()}", f"beta-{os.getpid()}"]
    for node in nodes:
        start_worker(f"{node}@%h", env={"PRIVATE_MEDIA_ROOT": str(tmp_path), "CERTIFICATES_RENDER_CHUNK": "2"})
    issuer = IssuerFactory(serial_prefix="VTC-PZ", organisation__name="Vocational Training Center Prizren")
    cohort, sessions = certified_cohort(issuer=issuer)
    for n in range(PEOPLE):
        graduate(cohort, sessions, first_name=f"Participant{n:02d}", last_name="Krasniqi")

    batch = cohort_issue_certificates(cohort=cohort, by=None)  # committed: the chunks are queued after commit
    ids = list(batch.certificates.values_list("pk", flat=True))
    render_certificates.delay(ids)  # the same work delivered twice more, at once, to whichever worker is free
    render_certificates.delay(ids)
    pending = Certificate.objects.filter(pk__in=ids, status=Certificate.Status.PENDING)
    _wait(lambda: not pending.exists(), 180, "every certificate rendered")
    sent = PEOPLE // 2 + 2
    _wait(lambda: sum(_tasks_done_per_worker(app, nodes).values()) >= sent, 60, "every task finished")

    certificates = list(Certificate.objects.filter(pk__in=ids).order_by("serial_number"))
    year = dt.date.today().year
    assert [c.status for c in certificates] == ["ready"] * PEOPLE
    assert [c.serial for c in certificates] == [f"VTC-PZ-{year}-{n:06d}" for n in range(1, PEOPLE + 1)]
    assert SerialCounter.objects.get(issuer=issuer).last_number == PEOPLE
    assert [c.render_attempts for c in certificates] == [1] * PEOPLE
    assert len({c.pdf.name for c in certificates}) == PEOPLE
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf"))
    assert files == sorted(c.pdf.name for c in certificates)
    # A PDF written by a duplicate would be newer than the render time its row records.
    for certificate in certificates:
        written = dt.datetime.fromtimestamp((tmp_path / certificate.pdf.name).stat().st_mtime, tz=dt.UTC)
        assert written <= certificate.rendered_at + dt.timedelta(seconds=1), certificate.serial

    done = _tasks_done_per_worker(app, nodes)
    assert sum(done.values()) == sent
    # Which worker took what is the scheduler's business: both taking part is reported, not required.
    logger.warning("render tasks per worker: %s", done)
    if min(done.values(), default=0) == 0:
        logger.warning("only one worker took tasks this time: %s", done)
