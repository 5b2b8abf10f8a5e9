#!/usr/bin/env python
"""Certificate rendering benchmark: naive rendering against the project's pipeline with real Celery workers.

Prints, in one run:
  - naive: one WeasyPrint call per certificate, fresh each time (new font configuration, CSS and template parsed
    again, the issuer's logo and signatures inlined as stored, the QR code as an SVG with segno's automatic
    mask), in this process;
  - pipeline: certificates per second from issuing the batch (serials in one transaction, tasks queued after the
    commit) until every PDF is stored, with N worker processes (`celery -A rehab worker --concurrency N`);
  - their ratio, and the workers' memory (resident set size) sampled while they render: peak, and the peak in
    each quarter of the run, to show whether it stays flat.

It needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL), creates a throwaway database next to the one in
DATABASE_URL (bench_<name>) and a temporary folder for the PDFs, and removes both at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rehab_d CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python benchmarks/certificates.py --count 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.0
TARGET_RATE = 40.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="certificates rendered by the pipeline (default 1000)")
    parser.add_argument(
        "--naive-count", type=int, default=None,
        help="certificates rendered the naive way to measure its throughput (default: count, at most 200)",
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--chunk", type=int, default=None, help="certificates per task (CERTIFICATES_RENDER_CHUNK)")
    return parser.parse_args()


# ------------------------------------------------------------------------------------------------ memory


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


class MemorySampler(threading.Thread):
    """Samples the resident memory of the worker's pool processes until stopped."""

    def __init__(self, parent_pid: int, progress) -> None:
        super().__init__(daemon=True)
        self.parent_pid = parent_pid
        self.progress = progress
        self.samples: list[tuple[float, int, int]] = []  # (fraction done, largest process KiB, all processes KiB)
        self._halt = threading.Event()

    def run(self) -> None:
        pool, looked = [], 0.0
        while not self._halt.is_set():
            if time.monotonic() - looked > 5:  # the pool's processes rarely change; scanning /proc costs CPU
                pool, looked = _children(self.parent_pid), time.monotonic()
            sizes = [size for size in (_rss_kib(pid) for pid in pool) if size]
            if sizes:
                self.samples.append((self.progress(), max(sizes), sum(sizes)))
            self._halt.wait(0.25)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# ------------------------------------------------------------------------------------------------ data


def _logo_png() -> bytes:
    """A plausible logo: a navy disc with a gold ring and the centre's initials, on transparency."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (640, 256), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), fill=(31, 78, 121, 255), outline=(201, 162, 39, 255), width=12)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 72)
    draw.text((60, 88), "VTC", font=font, fill=(255, 255, 255, 255))
    small = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 44)
    draw.text((276, 70), "Vocational", font=small, fill=(31, 78, 121, 255))
    draw.text((276, 130), "Training Center", font=small, fill=(31, 78, 121, 255))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _signature_png(seed: int) -> bytes:
    """A handwritten-looking stroke in dark ink, on transparency."""
    import io
    import math

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (560, 180), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (20 + x, 100 + 45 * math.sin(x / (23 + seed)) * math.cos(x / (61 + 3 * seed)) - 0.05 * x)
        for x in range(0, 520, 3)
    ]
    draw.line(points, fill=(20, 30, 60, 255), width=5, joint="curve")
    draw.line([(60, 140), (470, 128)], fill=(20, 30, 60, 255), width=3)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def build_cohort(count: int):
    """A certified course and a cohort of `count` people who all finished it, built in bulk."""
    from django.utils import timezone

    from certificates.models import Signatory
    from certificates.services import issuer_for_organisation
    from inmates.models import Inmate
    from programs.models import Attendance, Cohort, Course, Enrolment, Session
    from rehab.models import Facility, Organisation

    centre = Organisation.objects.create(
        name="Vocational Training Center Prizren", short_name="VTC Prizren", kind="training_centre", country="XK", city="Prizren"
    )
    service = Organisation.objects.create(name="Bench Prison Service", kind="prison_service", country="XK")
    facility = Facility.objects.create(prison_service=service, name="Bench Facility", code="bench", kind="women", city="Lipjan")
    issuer = issuer_for_organisation(organisation=centre)
    issuer.serial_prefix = "VTC-PZ"
    issuer.name_translations = {"sq": "Qendra e Aftësimit Profesional Prizren"}
    issuer.save()
    from certificates.storage import private_storage

    storage = private_storage()
    issuer.logo.name = storage.write_atomic(f"issuers/{issuer.pk}/logo.png", _logo_png())
    issuer.save()
    for position, name, title in [(1, "Bashkim Tejeci", "Filigree master coach"), (2, "Lindita Kuqi", "Certificates officer")]:
        signature = storage.write_atomic(f"issuers/{issuer.pk}/signature-{position}.png", _signature_png(position))
        Signatory.objects.create(issuer=issuer, name=name, title=title, position=position, signature=signature)
    course = Course.objects.create(
        code="filigree-bench", title="Filigree jewellery making", language="sq", kind="crafts", planned_hours=300,
        title_translations={"sq": "Punimi i bizhuterive në filigran", "sr": "Израда филигранског накита"},
        final_assessment_required=True, issuer=centre,
    )
    start = dt.date(2025, 3, 3)
    cohort = Cohort.objects.create(
        course=course, facility=facility, name="Filigree – benchmark group", capacity=count,
        start_date=start, end_date=start + dt.timedelta(days=340),
    )
    sessions = [
        Session.objects.create(cohort=cohort, date=start + dt.timedelta(days=7 * i), start_time=dt.time(9),
                               end_time=dt.time(12), status=Session.Status.HELD)
        for i in range(2)
    ]
    first_names = ["Arta", "Јелена", "Drita", "Мирјана", "Qëndresa", "Edona", "Весна", "Hana"]
    last_names = ["Krasniqi", "Петровић", "Gashi", "Јовановић", "Zeka", "Berisha", "Илић", "Bytyqi"]
    inmates = Inmate.objects.bulk_create(
        Inmate(
            prison_service=service, registration_number=f"B-{n:05d}", first_name=first_names[n % 8],
            last_name=f"{last_names[(n // 8) % 8]}", gender="F", current_facility=facility,
            admission_date=dt.date(2024, 1, 1), preferred_language="sq",
        )
        for n in range(count)
    )
    now = timezone.now()
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, inmate=inmate, status=Enrolment.Status.COMPLETED, enrolled_at=now, ended_at=now,
                  final_result=Enrolment.Result.PASSED)
        for inmate in inmates
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=enrolment, status=Attendance.Status.PRESENT)
        for enrolment in enrolments for session in sessions
    )
    return issuer, cohort


# ------------------------------------------------------------------------------------------------ runs


def run_naive(issuer, count: int) -> tuple[float, float]:
    """Certificates per second, one fresh WeasyPrint call each, in this process; and CPU seconds per certificate."""
    from certificates.models import new_verification_token
    from certificates.rendering import CertificateData, SignatoryData, TemplateSource, render_naive
    from certificates.services import issuer_template, verification_url

    template = issuer_template(issuer=issuer)
    source = TemplateSource(html=template.html, css=template.css)
    items = [
        CertificateData(
            serial=f"VTC-PZ-2026-{n + 1:06d}", holder_name=["Arta Krasniqi", "Јелена Петровић"][n % 2], holder_language="sq",
            language="sq", course_title="Punimi i bizhuterive në filigran", course_title_en="Filigree jewellery making",
            hours=300, start_date=dt.date(2025, 3, 3), end_date=dt.date(2026, 2, 6), issued_on=dt.date(2026, 2, 20),
            issuer_name=issuer.name, issuer_name_local=issuer.name_in("sq"), issuer_city="Prizren",
            verification_url=verification_url(token=new_verification_token()),
            logo=issuer.logo.name,
            signatories=tuple(
                SignatoryData(s.name, s.title, s.signature.name) for s in issuer.signatories.order_by("position")
            ),
        )
        for n in range(count)
    ]
    render_naive(source, items[0])  # the very first call loads the system's fonts; not counted
    started, cpu = time.perf_counter(), time.process_time()
    for data in items:
        render_naive(source, data)
    return count / (time.perf_counter() - started), (time.process_time() - cpu) / count


def start_worker(env: dict, workers: int) -> subprocess.Popen:
    from rehab.celery import app

    hostname = f"bench-{os.getpid()}@%h"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rehab", "worker", "--pool", "prefork", "--concurrency", str(workers),
         "-n", hostname, "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    app.control.purge()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit("the Celery worker exited early")
        replies = app.control.ping(timeout=1.0)
        if any(hostname.split("@")[0] in name for reply in replies for name in reply):
            # Let every pool process finish loading its fonts (worker_process_init) before the clock starts.
            time.sleep(2)
            return worker
    worker.kill()
    raise SystemExit("the Celery worker did not answer within 60 s")


def run_pipeline(cohort, count: int, worker: subprocess.Popen):
    from django.db import transaction

    from certificates.models import Certificate
    from certificates.services import cohort_issue_certificates

    ready = {"n": 0}
    sampler = MemorySampler(worker.pid, lambda: ready["n"] / count)
    sampler.start()
    pool = _children(worker.pid)
    cpu_before = sum(_cpu_seconds(pid) for pid in pool)
    started = time.perf_counter()
    enqueued = {}
    with transaction.atomic():
        # Runs at the commit, just before the service's own callback sends the tasks.
        transaction.on_commit(lambda: enqueued.setdefault("at", time.perf_counter()))
        batch = cohort_issue_certificates(cohort=cohort, by=None)
    certificates = Certificate.objects.filter(batch=batch)
    while True:
        ready["n"] = certificates.filter(status=Certificate.Status.READY).count()
        if ready["n"] == count or not certificates.filter(status=Certificate.Status.PENDING).exists():
            break
        time.sleep(0.25)
    finished = time.perf_counter()
    cpu = sum(_cpu_seconds(pid) for pid in pool) - cpu_before
    sampler.stop()
    return batch, enqueued["at"] - started, finished - enqueued["at"], sampler.samples, cpu


def main() -> None:
    args = parse_args()
    naive_count = args.naive_count or min(args.count, 200)
    workdir = Path(tempfile.mkdtemp(prefix="rehab-bench-"))
    os.environ["REHAB_VAR_DIR"] = str(workdir)  # the private storage for PDFs, here and in the workers
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if args.chunk:
        settings.CERTIFICATES_RENDER_CHUNK = args.chunk
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise SystemExit("Set DATABASE_URL to PostgreSQL and CELERY_BROKER_URL to Redis.")

    db = connection.settings_dict
    original_name = db["NAME"]
    db["TEST"] = {**db.get("TEST", {}), "NAME": f"bench_{db['NAME']}"}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    worker = None
    try:
        print(f"rehab certificate benchmark — {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
              f"{args.count} certificates, {args.workers} worker processes")
        issuer, cohort = build_cohort(args.count)

        naive_rate, naive_cpu = run_naive(issuer, naive_count)
        print(f"naive:    {naive_rate:6.1f} certificates/s  (one fresh WeasyPrint call per certificate, {naive_count} "
              f"rendered; {1000 * naive_cpu:.0f} ms of CPU each)")

        worker = start_worker(env, args.workers)
        load_before = os.getloadavg()[0]
        batch, issue_seconds, total_seconds, samples, worker_cpu = run_pipeline(cohort, args.count, worker)
        with_issuing = issue_seconds + total_seconds
        from certificates.models import Certificate

        done = batch.certificates.filter(status=Certificate.Status.READY).count()
        failed = batch.certificates.filter(status=Certificate.Status.FAILED).count()
        numbers = sorted(batch.certificates.values_list("serial_number", flat=True))
        stored = sum(1 for _ in (workdir / "private" / "certificates").rglob("*.pdf"))
        rate = done / total_seconds
        print(f"pipeline: {rate:6.1f} certificates/s  ({done} ready, {failed} failed, {stored} PDFs stored "
              f"{total_seconds:.1f} s after the enqueue; counting the issuing transaction before it ({issue_seconds:.2f} s"
              f" for {args.count} serials), {done / with_issuing:.1f} certificates/s)")
        print(f"ratio:    {rate / naive_rate:6.2f}× naive")
        per_certificate = worker_cpu / max(done, 1)
        print(f"cpu:      {1000 * per_certificate:.0f} ms of worker CPU per certificate "
              f"({naive_cpu / per_certificate:.2f}× less than naive); the workers got {worker_cpu / total_seconds:.2f} "
              f"of {os.cpu_count()} CPUs (load average {load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after "
              f"— other processes on the machine take the rest); with {args.workers} CPUs to themselves they would "
              f"render {args.workers / per_certificate:.0f} certificates/s")
        if samples:
            peak = max(s[1] for s in samples) / 1024
            peak_total = max(s[2] for s in samples) / 1024
            quarters = []
            for q in range(4):
                window = [s[1] for s in samples if q / 4 <= s[0] < (q + 1) / 4 or (q == 3 and s[0] >= 1)]
                quarters.append(f"{max(window) / 1024:.0f}" if window else "–")
            print(f"memory:   peak {peak:.0f} MiB per worker process ({peak_total:.0f} MiB for all {args.workers}); "
                  f"peak per quarter of the run: {' / '.join(quarters)} MiB")
        print(f"serials:  {numbers[0]}..{numbers[-1]}, gapless: {numbers == list(range(1, len(numbers) + 1))}")
        verdict = "met" if rate >= TARGET_RATE and rate / naive_rate >= TARGET_RATIO else "NOT met"
        print(f"targets (≥ {TARGET_RATIO:.0f}× naive, ≥ {TARGET_RATE:.0f} certificates/s): {verdict}")
        if samples:
            spread = statistics.pstdev([s[1] for s in samples if s[0] > 0.1]) / 1024 if len(samples) > 2 else 0
            print(f"          memory spread after the first 10 %: ±{spread:.1f} MiB")
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        connection.close()
        connection.creation.destroy_test_db(original_name, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
