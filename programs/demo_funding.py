"""Demo funding: the EU / Council of Europe action that pays for the Lipjan filigree and IT groups, and Help's
donation of laptops and sewing equipment to Lipjan under it. Called by `seed_demo` after the programme data.

Idempotent like the rest of the demo: found by natural keys before anything is created; dates are set only when
a record is created, relative to the groups' own dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Max, Min

from programs.models import Cohort, Donation, EquipmentItem, FundingAction, FundingActionCountry
from programs.services.funding import ItemSpec, donation_record
from rehab.models import Facility, Organisation

ACTION_CODE = "eu-coe-hf-kosovo-rehab"
FUNDED_COURSES = ("filigree-1y", "it-basics")


def demo_funding_seed(*, today: dt.date) -> dict[str, int]:
    eucoe = Organisation.objects.get(name="European Union / Council of Europe Horizontal Facility")
    help_ngo = Organisation.objects.get(name="Help – Hilfe zur Selbsthilfe")
    lipjan = Facility.objects.get(code="lipjan")
    funded = Cohort.objects.filter(facility=lipjan, course__code__in=FUNDED_COURSES)
    span = funded.aggregate(start=Min("start_date"), end=Max("end_date"))
    start = (span["start"] or today) - dt.timedelta(days=60)
    end = (span["end"] or today) + dt.timedelta(days=30)

    action, _created = FundingAction.objects.get_or_create(
        code=ACTION_CODE,
        defaults={
            "title": "Horizontal Facility: rehabilitation and reintegration of prisoners in Kosovo",
            "donor": eucoe,
            "implementing_partner": help_ngo,
            "start_date": start,
            "end_date": end,
            "description": (
                "A joint European Union and Council of Europe action: vocational training (filigree, IT) for the "
                "women in Lipjan with the Vocational Training Center Prizren, and the equipment it needs."
            ),
        },
    )
    FundingActionCountry.objects.get_or_create(funding_action=action, country="XK")
    funded.filter(funding_action__isnull=True).update(funding_action=action)

    if not Donation.objects.filter(donor=help_ngo, facility=lipjan, funding_action=action).exists():
        it_classroom = lipjan.rooms.filter(name="IT classroom").first()
        workshop = lipjan.rooms.filter(name="Filigree workshop").first()
        received = min(start + dt.timedelta(days=30), today)
        donation_record(
            facility=lipjan,
            donor=help_ngo,
            funding_action=action,
            date=received,
            note="Laptops for the IT groups and sewing equipment for the workshop.",
            items=[
                ItemSpec(kind="laptop", name="Laptop 15\" with office software", quantity=6,
                         unit_value=Decimal("480.00"), condition="good", room=it_classroom),
                ItemSpec(kind="laptop", name="Laptop 15\" (screen broken)", quantity=1,
                         unit_value=Decimal("480.00"), condition="written_off", location_note="Storage"),
                ItemSpec(kind="sewing_machine", name="Sewing machine", quantity=2,
                         unit_value=Decimal("320.00"), condition="good", room=workshop),
                ItemSpec(kind="tools", name="Sewing and finishing kit", quantity=5,
                         unit_value=Decimal("35.00"), condition="fair", room=workshop),
            ],
        )
    return {
        "Funding actions": FundingAction.objects.count(),
        "Donations": Donation.objects.count(),
        "Equipment items": EquipmentItem.objects.count(),
    }
