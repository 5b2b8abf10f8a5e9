"""The database does not answer → a 503 page with Retry-After, never a traceback; /healthz says 503 too."""

import pytest
from django.db import connections
from django.test import Client

from rehab.middleware import RETRY_AFTER, database_unavailable_response
from tests.resilience.conftest import free_port

PAGE_TEXT = "rehab is temporarily unavailable"


@pytest.fixture
def database_down(django_db_blocker):
    """Every new connection of this process goes to a closed port until the test ends."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        yield
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _assert_503_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert PAGE_TEXT in body
    assert "Traceback" not in body
    assert "/static/css/rehab.css" in body


def test_a_logged_in_page_answers_503_when_the_session_cannot_be_loaded(database_down):
    client = Client()
    client.cookies["sessionid"] = "a-session-the-database-would-know"

    response = client.get("/programs/today/")

    _assert_503_page(response)


def test_a_login_attempt_answers_503(database_down):
    response = Client().post("/accounts/login/", {"username": "director", "password": "rehab-demo"})

    _assert_503_page(response)


def test_a_public_page_that_queries_answers_503(database_down):
    # No session cookie: the user is anonymous without a query, the certificate lookup is the first query.
    response = Client().get("/verify/0123456789abcdef/")

    _assert_503_page(response)


def test_healthz_answers_503(database_down):
    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_the_503_page_makes_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = database_unavailable_response()

    assert response.status_code == 503
    assert PAGE_TEXT in response.content.decode()
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
