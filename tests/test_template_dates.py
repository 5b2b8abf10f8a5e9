"""The remembering |date: and |time: filters (rehab/templatetags/dates.py) write what Django's own write."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template, defaultfilters
from django.utils import timezone, translation

from rehab.templatetags import dates

DAY = dt.date(2026, 3, 2)
MOMENT = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "sr", "sq", "mk", "bs"])
def test_dates_are_written_in_each_language_as_django_writes_them(language):
    with translation.override(language):
        for fmt in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "l", "Y-m-d"):
            assert render("{{ d|date:f }}", d=DAY, f=fmt) == defaultfilters.date(DAY, fmt)


def test_the_language_is_part_of_what_is_remembered():
    with translation.override("en"):
        english = render('{{ d|date:"l" }}', d=DAY)
    with translation.override("sr"):
        serbian = render('{{ d|date:"l" }}', d=DAY)

    assert (english, serbian) == ("Monday", "Понедељак")


def test_a_moment_is_written_in_the_current_time_zone_each_time():
    source = '{{ m|date:"H:i" }} {{ m|time:"H:i" }}'
    with timezone.override(zoneinfo.ZoneInfo("Europe/Belgrade")):
        belgrade = render(source, m=MOMENT)
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        utc = render(source, m=MOMENT)

    assert (belgrade, utc) == ("23:30 23:30", "22:30 22:30")


def test_empty_and_other_values_behave_as_with_django():
    assert render('{{ d|date:"Y" }}|{{ t|time:"H:i" }}|{{ s|date:"Y" }}', d=None, t="", s="not a date") == "||"
    assert render('{{ t|time:"H:i" }}', t=dt.time(8, 5)) == "08:05"
    assert dates.date is not defaultfilters.date  # the engine's builtin is this module's
    assert Template('{{ d|date:"Y" }}').engine.template_builtins[-1].filters["date"] is dates.date
