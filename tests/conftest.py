import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make around it
# are still synchronous, so Django's async-safety guard would refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (row locks, concurrent threads)")


def pytest_collection_modifyitems(config, items):
    # Tests meant for PostgreSQL (row locks, threads) say so; they must never silently pass on SQLite.
    for item in items:
        if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery -A rehab worker` process on the configured broker, using the test database."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis")
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}"
    )
    hostname = f"test-{os.getpid()}@%h"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rehab", "worker", "--pool", "prefork", "--concurrency", "2",
         "-n", hostname, "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    from rehab.celery import app

    app.control.purge()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited early:\n{worker.stdout.read()}")
        replies = app.control.ping(timeout=1.0)
        if any(hostname.split("@")[0] in name for reply in replies for name in reply):
            break
    else:
        worker.kill()
        pytest.fail("the Celery worker did not answer a ping within 60 s")
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium driven by Playwright (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs the Debian chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def tablet(chromium):
    """A 768 x 1024 touch page, the size of the tablets trainers take the register on."""
    context = chromium.new_context(viewport={"width": 768, "height": 1024}, has_touch=True, locale="en")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="en")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def browser_login(page, live_server, username: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/**")


@pytest.fixture
def private_media(settings, tmp_path):
    """Private files (certificate PDFs, packs, reports) written under the test's own folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture(autouse=True)
def _default_language():
    """A request in another language (a language cookie, /i18n/setlang/) leaves that language active in the thread:
    the next test starts in the default language again, whatever ran before it."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)
