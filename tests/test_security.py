"""Security settings, each checked the way an attacker or an auditor would see it: the deploy check under production
settings, login lockout after 5 failures, secure cookies and HSTS on a production response, the Content-Security-
Policy on every page, and sessions that end."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "object-src": "'none'", "frame-ancestors": "'none'", "base-uri": "'self'", "form-action": "'self'",
}
WRONG_PASSWORD_MESSAGE = "Please enter a correct username and password. Note that both fields may be case-sensitive."
LOCKOUT_MESSAGE = "This account is locked after 5 failed log-in attempts."


def policy(header: str) -> dict[str, str]:
    """A Content-Security-Policy header as {directive: sources} (the header does not keep a fixed order)."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def production_environment(**extra: str) -> dict[str, str]:
    """What a production deployment sets: a real secret, DEBUG off, its host name."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="rehab.example.org",
               SITE_URL="https://rehab.example.org", **extra)
    return env


def run_in_production(script: str, **extra: str) -> dict:
    """Run `script` in a fresh Python with production settings; it prints one JSON document as its last line."""
    prelude = "import json, django\ndjango.setup()\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**production_environment(**extra), "DJANGO_SETTINGS_MODULE": "rehab.settings"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_deploy_check_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT, env=production_environment(), capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("System check identified no issues (0 silenced).")


# ---------------------------------------------------------------- production responses: HTTPS, HSTS, cookies

PRODUCTION_REQUESTS = """
from django.test import Client
from django.contrib.sessions.models import Session
from django.utils.timezone import now
from django.conf import settings
from django.test import override_settings
# Static files are not collected here; the manifest storage would refuse every {% static %}.
override_settings(STORAGES={
    **settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
client = Client(HTTP_HOST="rehab.example.org")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
login = client.post("/accounts/login/", {"username": USERNAME, "password": PASSWORD}, secure=True)
session = login.cookies["sessionid"]
csrf = page.cookies["csrftoken"]
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "page": page.status_code,
    "headers": {name: page.get(name) for name in (
        "Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
        "Referrer-Policy", "Cross-Origin-Opener-Policy")},
    "login": [login.status_code, login.get("Location")],
    "session_cookie": {key: session[key] for key in ("secure", "httponly", "samesite", "max-age", "expires")},
    "csrf_cookie": {key: csrf[key] for key in ("secure", "httponly", "samesite")},
    "session_hours": round((Session.objects.get(session_key=session.value).expire_date - now()).total_seconds() / 3600),
}))
"""


@pytest.mark.django_db(transaction=True)
def test_production_responses_force_https_send_hsts_and_set_secure_cookies():
    user = UserFactory(username="hsts-user")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if connection.vendor != "postgresql":
        pytest.skip("the production subprocess needs the PostgreSQL test database")
    script = f"USERNAME, PASSWORD = {user.username!r}, {PASSWORD!r}\n" + PRODUCTION_REQUESTS

    seen = run_in_production(script, DATABASE_URL=database_url)

    assert seen["plain"] == [301, "https://rehab.example.org/accounts/login/"]
    assert seen["page"] == 200
    assert seen["headers"] == {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "Content-Security-Policy": seen["headers"]["Content-Security-Policy"],
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    assert policy(seen["headers"]["Content-Security-Policy"]) == EXPECTED_CSP
    assert seen["login"] == [302, "/"]
    # No max-age or expiry: the cookie dies with the browser; the server ends the session after 8 hours anyway.
    assert seen["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax", "max-age": "", "expires": ""}
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["session_hours"] == 8


# ---------------------------------------------------------------- Content-Security-Policy


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/verify/not-a-token/"])
def test_every_response_carries_the_content_security_policy(path):
    response = Client().get(path)

    assert policy(response["Content-Security-Policy"]) == EXPECTED_CSP


@pytest.mark.django_db
def test_the_layout_has_no_inline_script_or_style_and_turns_off_htmx_inline_styles(client):
    user = UserFactory()
    client.force_login(user)

    html = client.get("/accounts/password_change/").content.decode()

    assert "<script>" not in html and "style=" not in html and "<style" not in html
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in html


def test_no_template_has_inline_script_style_or_event_handler():
    import re

    # PDF templates (certificates, donor reports) are rendered by WeasyPrint, not a browser: no policy there.
    offenders = []
    pattern = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|<style|\sstyle=|\son[a-z]+=", re.I)
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if "pdf" in template.relative_to(ROOT / "templates").as_posix():
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()}")

    assert offenders == []


# ---------------------------------------------------------------- login lockout (django-axes)


def _attempt(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_the_fifth_failed_login_locks_the_account_and_the_sixth_is_refused_even_with_the_right_password():
    UserFactory(username="fatima")
    client = Client()

    first_four = [_attempt(client, "fatima", f"wrong-{n}") for n in range(4)]
    fifth = _attempt(client, "fatima", "wrong-5")
    sixth = _attempt(client, "fatima", PASSWORD)

    assert [r.status_code for r in first_four] == [200, 200, 200, 200]
    assert all(WRONG_PASSWORD_MESSAGE in r.content.decode() for r in first_four)
    assert fifth.status_code == 429
    assert LOCKOUT_MESSAGE in fifth.content.decode()
    assert "Try again later, or ask your system administrator to unlock it." in fifth.content.decode()
    assert sixth.status_code == 429
    assert LOCKOUT_MESSAGE in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    # The refused sixth attempt is counted too: trying while locked out does not shorten the lockout.
    assert AccessAttempt.objects.get(username="fatima").failures_since_start == 6


@pytest.mark.django_db
def test_four_failures_then_the_right_password_logs_in_and_starts_the_count_again():
    UserFactory(username="arta")
    client = Client()
    for n in range(4):
        _attempt(client, "arta", f"wrong-{n}")

    success = _attempt(client, "arta", PASSWORD)
    client.post("/accounts/logout/")
    later = [_attempt(client, "arta", f"again-{n}").status_code for n in range(4)]

    assert success.status_code == 302
    assert later == [200, 200, 200, 200]


@pytest.mark.django_db
def test_a_lockout_is_per_username_so_a_colleague_on_the_same_tablet_can_still_log_in():
    UserFactory(username="locked")
    UserFactory(username="colleague")
    client = Client()
    for n in range(5):
        _attempt(client, "locked", f"wrong-{n}")

    response = _attempt(client, "colleague", PASSWORD)

    assert response.status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_when_the_administrator_resets_it():
    from axes.utils import reset

    UserFactory(username="besa")
    client = Client()
    for n in range(5):
        _attempt(client, "besa", f"wrong-{n}")

    reset(username="besa")
    response = _attempt(client, "besa", PASSWORD)

    assert response.status_code == 302


# ---------------------------------------------------------------- sessions end


@pytest.mark.django_db
def test_a_session_lasts_eight_hours_and_ends_with_the_browser(client):
    client.force_login(UserFactory())

    assert client.session.get_expiry_age() == 8 * 60 * 60
    assert client.session.get_expire_at_browser_close() is True


@pytest.mark.django_db
def test_an_expired_session_is_sent_to_the_login_page(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/password_change/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password_change/"


@pytest.mark.django_db
def test_sessions_are_kept_in_the_database_not_in_the_cache(client, settings):
    client.force_login(UserFactory())

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert Session.objects.filter(session_key=client.session.session_key).exists()


# ---------------------------------------------------------------- error pages


@pytest.mark.django_db
def test_refused_and_missing_pages_are_in_the_layout_and_say_why(client):
    client.force_login(UserFactory())

    forbidden = client.get("/programs/cohorts/")
    missing = client.get("/no-such-page/")

    assert forbidden.status_code == 403
    assert "Your role does not give access to this page." in forbidden.content.decode()
    assert missing.status_code == 404
    assert "This page does not exist, or it is not among the records your role lets you see." in missing.content.decode()
    assert 'data-testid="current-user"' in forbidden.content.decode()


def test_the_500_page_needs_no_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something went wrong" in html
    assert "/static/css/rehab.css" in html
