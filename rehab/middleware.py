"""Middleware of the project package."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# Seconds a client (or a load balancer) should wait before trying again.
RETRY_AFTER = 30
UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without a request, so no context processor (and no query) runs."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After when the database does not answer, instead of a 500 traceback.

    Loading the session and the user is the first query of most requests; it is forced here so that failure is
    caught, and process_exception catches the same errors raised later by the view or its template.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            user = getattr(request, "user", None)
            if user is not None:
                user.is_authenticated  # noqa: B018 - evaluates the lazy user: session and user rows
        except UNAVAILABLE as exc:
            return self._unavailable(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UNAVAILABLE):
            return self._unavailable(request, exception)
        return None

    @staticmethod
    def _unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, exc)
        return database_unavailable_response()
