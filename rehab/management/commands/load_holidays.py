"""Fill the public holiday lists from the `holidays` package, so generated sessions skip those days."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from rehab.models import Country
from rehab.services import holidays_load


class Command(BaseCommand):
    help = "Load public holidays for the given countries and years (default: all countries; last, this and next year)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--country",
            nargs="+",
            choices=Country.values,
            default=Country.values,
            help="Country codes (default: %(default)s).",
        )
        parser.add_argument("--years", nargs="+", type=int, help="Years (default: last, this and next year).")

    def handle(self, *args, country: list[str], years: list[int] | None, **options) -> None:
        this_year = timezone.localdate().year
        years = sorted(set(years or (this_year - 1, this_year, this_year + 1)))
        span = ", ".join(str(year) for year in years)
        total = 0
        for code in dict.fromkeys(country):
            created = holidays_load(country=code, years=years)
            total += created
            self.stdout.write(f"{code}: {created} holidays added for {span}")
        self.stdout.write(self.style.SUCCESS(f"{total} holidays added in all."))
