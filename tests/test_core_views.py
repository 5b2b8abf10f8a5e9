import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.urls import reverse

from rehab.models import Role
from tests.factories import (
    PASSWORD,
    CohortFactory,
    FacilityFactory,
    RoleAssignmentFactory,
    StaffMemberFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.django_db
def test_the_home_page_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.django_db
def test_login_with_the_form_lands_on_the_home_page_showing_scope(client):
    assignment = RoleAssignmentFactory(role=Role.DIRECTOR, facility=FacilityFactory(name="Lipjan women's centre"))
    login_page = client.get("/accounts/login/")
    assert login_page.status_code == 200
    assert b'name="username"' in login_page.content

    response = client.post(
        "/accounts/login/", {"username": assignment.user.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [("/", 302)]
    page = response.content.decode()
    assert "Director</strong> — Lipjan women&#x27;s centre" in page
    assert '<td>Lipjan women&#x27;s centre</td>' in page


@pytest.mark.django_db
def test_a_wrong_password_shows_a_clear_message(client):
    user = UserFactory()

    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


@pytest.mark.django_db
def test_a_director_sees_only_their_facility(client):
    mine = FacilityFactory(name="Lipjan")
    FacilityFactory(name="Dubrava")
    user = RoleAssignmentFactory(role=Role.DIRECTOR, facility=mine).user
    client.force_login(user)

    response = client.get("/")

    assert [f.name for f in response.context["facilities"]] == ["Lipjan"]


@pytest.mark.django_db
def test_a_programme_officer_sees_every_facility_of_their_country(client):
    kosovo = [FacilityFactory(name="Lipjan"), FacilityFactory(name="Dubrava")]
    FacilityFactory(name="KPZ Niš", prison_service__country="RS")
    user = RoleAssignmentFactory(role=Role.PROGRAMME_OFFICER, facility=None, country="XK").user
    client.force_login(user)

    response = client.get("/")

    assert sorted(f.name for f in response.context["facilities"]) == sorted(f.name for f in kosovo)


@pytest.mark.django_db
def test_a_trainer_sees_the_groups_they_deliver(client):
    coach = StaffMemberFactory(user=UserFactory())
    delivered = CohortFactory(name="Filigree A")
    delivered.trainers.add(coach)
    CohortFactory(name="IT B")
    client.force_login(coach.user)

    response = client.get("/")

    assert [c.name for c in response.context["cohorts_delivered"]] == ["Filigree A"]
    assert list(response.context["facilities"]) == []


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_the_language_switcher_changes_the_page_language(client):
    client.force_login(UserFactory())

    client.post(reverse("set_language"), {"language": "sq", "next": "/"})
    response = client.get("/")

    assert response.context["LANGUAGE_CODE"] == "sq"
    assert '<html lang="sq">' in response.content.decode()


def clean_environment() -> dict:
    # The test process allows async-unsafe ORM calls for Playwright; a deploy check must not see that.
    return {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}


def run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = clean_environment()
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check({"DEBUG": "false"})

    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off (production)." in result.stderr


def test_production_deploy_check_is_clean():
    env = {
        "SECRET_KEY": "k3y-for-the-deploy-check-" + "x9Qm2Lr7Tz" * 5,
        "ALLOWED_HOSTS": "rehab.example.org",
        "SITE_URL": "https://rehab.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean_environment(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_a_user_changes_their_password_on_a_page_of_the_application(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get("/accounts/password_change/")
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "filigree-Lipjan-2026", "new_password2": "filigree-Lipjan-2026"},
        follow=True,
    )

    assert "Change your password" in page.content.decode()
    assert response.redirect_chain == [("/accounts/password_change/done/", 302)]
    user.refresh_from_db()
    assert user.check_password("filigree-Lipjan-2026")
