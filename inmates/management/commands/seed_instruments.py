"""`manage.py seed_instruments`: the shipped assessment instruments (VEP screening, risk and needs)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from inmates.instruments import instruments_seed


class Command(BaseCommand):
    help = (
        "Create or update the VEP screening tool and the risk-and-needs assessment with their scales and scoring "
        "bands. Safe to run again: existing rows are updated, nothing is duplicated."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            created = instruments_seed()
        self.stdout.write(self.style.SUCCESS(f"Assessment instruments ready ({created} rows created)."))
