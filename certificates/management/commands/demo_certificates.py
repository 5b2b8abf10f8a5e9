from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from certificates.demo import demo_certificates_issue


class Command(BaseCommand):
    help = "Issue and render the demo certificates (seed_demo does this too). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("demo_certificates is for demo databases; run it with --force if this is one.")
        with transaction.atomic():
            issued = demo_certificates_issue(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"{issued} demo certificates issued."))
