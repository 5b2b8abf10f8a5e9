"""`manage.py anonymise_released`: the retention rule for people released long ago."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inmates.casework_selectors import add_months
from inmates.services import inmates_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise people released more than N years ago (--years, default RETENTION_YEARS, 2). Names are "
        "removed, the registration number becomes an opaque value unique in the prison service, the date of birth "
        "becomes 1 January of the birth year, and free text in casework and training records (notes, plan "
        "goals and steps, reasons) is replaced by a dash; audit-trail entries stay without those values. Gender, "
        "year of birth, custody dates, enrolments, attendance, completions, assessment levels and follow-up "
        "outcomes stay, so statistics do not change. Certificates are not touched: a certificate is the "
        "person's own credential and keeps the name printed on it. --dry-run lists what would change and "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=getattr(settings, "RETENTION_YEARS", 2),
            help="Anonymise people released more than this many years ago (default: %(default)s).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; change nothing.")

    def handle(self, *args, years: int, dry_run: bool, **options) -> None:
        if years < 1:
            raise CommandError("--years must be at least 1.")
        today = timezone.localdate()
        cutoff = add_months(today, -12 * years)
        result = inmates_anonymise(cutoff=cutoff, today=today, dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        for person in result.people:
            self.stdout.write(
                f"{verb} #{person.pk} {person.registration_number} (released {person.released_on:%Y-%m-%d}): "
                f"names, registration number → {person.new_registration_number}, date of birth → 1 January, "
                f"{person.texts} free-text field(s), {person.audit_entries} audit entr(y/ies) of the person"
            )
        summary = f"{len(result.people)} person(s) released before {cutoff:%Y-%m-%d}"
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run: {summary} would be anonymised. Nothing was changed."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{summary} anonymised."))
