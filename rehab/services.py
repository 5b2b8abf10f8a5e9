"""Business rules for the shared core. Keyword-only, typed, named <entity>_<action>."""

from __future__ import annotations

from collections.abc import Iterable

import holidays
from django.db import transaction

from rehab.models import Country, PublicHoliday

_NAME_LENGTH = PublicHoliday._meta.get_field("name").max_length


@transaction.atomic
def holidays_load(*, country: str, years: Iterable[int]) -> int:
    """Add the official public holidays of a country for the given years; return how many were new.

    Days already in the list are left as they are: the list is editable, and a name someone corrected
    by hand must survive a reload. Running it again creates nothing.
    """
    if country not in Country.values:
        raise ValueError(f"Unknown country {country!r}; expected one of {', '.join(Country.values)}.")
    years = sorted(set(years))
    if not years:
        return 0
    calendar = holidays.country_holidays(country, years=years)
    existing = set(
        PublicHoliday.objects.filter(country=country, date__year__in=years).values_list("date", flat=True)
    )
    new = [
        # Two holidays on one day come joined ("Easter; Labour Day"); the column is finite.
        PublicHoliday(country=country, date=day, name=str(name)[:_NAME_LENGTH])
        for day, name in sorted(calendar.items())
        if day not in existing
    ]
    # ignore_conflicts covers a concurrent load of the same country; the count may then overstate by those.
    PublicHoliday.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
