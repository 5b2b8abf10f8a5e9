"""The demo's custody movement: a woman of "Filigree – group B" transferred out of Lipjan ten days ago.

Her enrolment ends as "transferred", so the coaches' registers of group B list her, greyed, on the sessions
after the transfer, and the directors' movements list has an entry. Idempotent: once she has been moved, a
later run changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from inmates.models import CustodyEvent, Inmate
from programs.services.movements import custody_transfer
from rehab.models import Facility

# The last participant of group B (see programs.demo_seed: group B is LIP-0006 to LIP-0008).
DEMO_TRANSFERRED = "LIP-0008"
DEMO_TRANSFER_DAYS_AGO = 10


def demo_movements_seed(*, today: dt.date) -> int:
    """Record the demo transfer unless it is already there; returns how many movements were recorded."""
    inmate = Inmate.objects.filter(registration_number=DEMO_TRANSFERRED, current_facility__code="lipjan").first()
    if inmate is None or inmate.custody_events.filter(kind=CustodyEvent.Kind.TRANSFER).exists():
        return 0
    custody_transfer(
        inmate=inmate,
        to_facility=Facility.objects.get(code="dubrava"),
        date=today - dt.timedelta(days=DEMO_TRANSFER_DAYS_AGO),
        note="Transfer ordered by the Kosovo Correctional Service.",
        by=get_user_model().objects.filter(username="director").first(),
        today=today,
    )
    return 1
