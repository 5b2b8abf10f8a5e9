"""Django's `date` and `time` template filters, remembering what they wrote.

Installed as a builtin of the template engine (settings.TEMPLATES), after Django's own, so every `|date:` and
`|time:` in every template is this one: same arguments, same output. Formatting a date in the active language
is slow in Django (the format is looked up and parsed again for every value: a twentieth of a list page's
rendering), while a page shows the same few dates over and over, and the next page shows them again. The output
depends only on the value (with its time zone, which the engine has already applied), the format and the language,
so it is kept by those.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django import template
from django.template import defaultfilters
from django.utils.translation import get_language

register = template.Library()


def _key(value) -> tuple:
    # Aware datetimes equal as instants may be written differently in different zones: the zone is in the key.
    return (type(value), value, value.tzinfo) if isinstance(value, dt.datetime | dt.time) else (type(value), value)


@lru_cache(maxsize=8192)
def _date(key: tuple, arg, language: str | None) -> str:
    return defaultfilters.date(key[1], arg)


@lru_cache(maxsize=2048)
def _time(key: tuple, arg, language: str | None) -> str:
    return defaultfilters.time(key[1], arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Format a date according to the given format (django.template.defaultfilters.date)."""
    if not isinstance(value, dt.date | dt.time):
        return defaultfilters.date(value, arg)
    return _date(_key(value), arg, get_language())


@register.filter(expects_localtime=True, is_safe=False)
def time(value, arg=None):
    """Format a time according to the given format (django.template.defaultfilters.time)."""
    if not isinstance(value, dt.date | dt.time):
        return defaultfilters.time(value, arg)
    return _time(_key(value), arg, get_language())
