import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from programs.models import Cohort, Course, WeeklySlot
from programs.services.sessions import cohort_generate_sessions
from rehab.models import Facility, Organisation, PublicHoliday, Room
from rehab.services import holidays_load

pytestmark = pytest.mark.django_db

NEW_YEAR = dt.date(2026, 1, 1)
INDEPENDENCE_DAY = dt.date(2026, 2, 17)  # a Tuesday


def test_kosovo_holidays_for_2026_are_loaded():
    created = holidays_load(country="XK", years=[2026])

    holidays = dict(PublicHoliday.objects.filter(country="XK").values_list("date", "name"))
    assert created == len(holidays)
    assert holidays[NEW_YEAR] == "New Year's Day"
    assert holidays[INDEPENDENCE_DAY] == "Independence Day"
    assert {day.year for day in holidays} == {2026}


def test_loading_again_creates_nothing():
    first = holidays_load(country="XK", years=[2026])

    again = holidays_load(country="XK", years=[2026])

    assert (again, PublicHoliday.objects.count()) == (0, first)


def test_a_name_corrected_by_hand_survives_a_reload():
    holidays_load(country="XK", years=[2026])
    PublicHoliday.objects.filter(country="XK", date=INDEPENDENCE_DAY).update(name="Dita e Pavarësisë")

    holidays_load(country="XK", years=[2026])

    assert PublicHoliday.objects.get(country="XK", date=INDEPENDENCE_DAY).name == "Dita e Pavarësisë"


def test_countries_are_kept_apart():
    holidays_load(country="XK", years=[2026])

    created = holidays_load(country="RS", years=[2026])

    assert created == PublicHoliday.objects.filter(country="RS").count() > 0
    # Serbia's Statehood Day (observed) falls on the same day as Kosovo's Independence Day in 2026.
    assert set(PublicHoliday.objects.filter(date=INDEPENDENCE_DAY).values_list("country", flat=True)) == {"XK", "RS"}


def test_an_unknown_country_is_refused():
    with pytest.raises(ValueError, match="Unknown country"):
        holidays_load(country="DE", years=[2026])


def test_the_command_loads_the_countries_and_years_asked_for():
    out = StringIO()

    call_command("load_holidays", "--country", "XK", "ME", "--years", "2026", "2027", stdout=out)

    xk = PublicHoliday.objects.filter(country="XK").count()
    me = PublicHoliday.objects.filter(country="ME").count()
    assert set(PublicHoliday.objects.values_list("country", flat=True)) == {"XK", "ME"}
    assert set(PublicHoliday.objects.values_list("date__year", flat=True)) == {2026, 2027}
    assert out.getvalue().splitlines() == [
        f"XK: {xk} holidays added for 2026, 2027",
        f"ME: {me} holidays added for 2026, 2027",
        f"{xk + me} holidays added in all.",
    ]


def test_the_command_defaults_to_every_country_for_three_years():
    call_command("load_holidays", stdout=StringIO())

    assert set(PublicHoliday.objects.values_list("country", flat=True)) == {"XK", "RS", "MK", "BA", "AL", "ME"}
    assert len(set(PublicHoliday.objects.values_list("date__year", flat=True))) == 3


def test_generated_sessions_skip_a_public_holiday():
    holidays_load(country="XK", years=[2026])
    service = Organisation.objects.create(
        name="Kosovo Correctional Service", kind=Organisation.Kind.PRISON_SERVICE, country="XK"
    )
    facility = Facility.objects.create(
        prison_service=service, name="Lipjan", code="lipjan", kind=Facility.Kind.WOMEN, city="Lipjan"
    )
    room = Room.objects.create(facility=facility, name="Filigree workshop", capacity=5)
    course = Course.objects.create(code="filigree", title="Filigree", kind=Course.Kind.CRAFTS, planned_hours=300)
    # Tuesdays in range: 10, 17 (Independence Day) and 24 February 2026.
    cohort = Cohort.objects.create(
        course=course,
        facility=facility,
        room=room,
        name="Group A",
        start_date=dt.date(2026, 2, 9),
        end_date=dt.date(2026, 2, 27),
    )
    WeeklySlot.objects.create(cohort=cohort, weekday=1, start_time=dt.time(9), end_time=dt.time(12))

    cohort_generate_sessions(cohort=cohort, today=dt.date(2026, 2, 1))

    assert list(cohort.sessions.order_by("date").values_list("date", flat=True)) == [
        dt.date(2026, 2, 10),
        dt.date(2026, 2, 24),
    ]
