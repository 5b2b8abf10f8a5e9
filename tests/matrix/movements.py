"""Rows for custody movements (issue 5): the movement form per person and the facility's movements list.

Movements are recorded by the director and case managers of the person's facility (the last one once released)
and by administrators; trainers, registrars, programme officers, probation and donors never record them.
"""

from inmates.models import Inmate
from tests.matrix import ADMIN, CASEWORK, DIRECTOR, Row, SimpleNamespace, _s

MOVERS = _s(ADMIN, DIRECTOR, CASEWORK)


def demo_extras(demo: SimpleNamespace) -> dict:
    return {
        # Released from Lipjan: a re-admission is recorded by Lipjan's staff.
        "released_from_lipjan": Inmate.objects.filter(status=Inmate.Status.RELEASED, custody_events__from_facility=demo.lipjan)
        .distinct()
        .first(),
        # The demo transfer took her from Lipjan to Dubrava: Lipjan's staff no longer record her movements.
        "transferred_out": Inmate.objects.get(registration_number="LIP-0008", current_facility__code="dubrava"),
    }


ROWS: list[Row] = [
    Row("programs:movement_list", ok=MOVERS),
    Row("programs:inmate_movement", lambda d: {"pk": d.lipjan_inmate.pk}, ok=MOVERS),
    Row("programs:inmate_movement", lambda d: {"pk": d.released_from_lipjan.pk}, ok=MOVERS),
    Row("programs:inmate_movement", lambda d: {"pk": d.transferred_out.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, CASEWORK)),
    Row("programs:inmate_movement", lambda d: {"pk": d.nis_inmate.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, CASEWORK)),
]
