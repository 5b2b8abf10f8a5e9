"""`manage.py seed_demo`: the whole demo, from organisations to issued certificates.

It lives in the certificates app, the top layer, because it is the one command that needs every layer: the
programme data comes from programs.demo_seed, the certificates from certificates.demo.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from certificates.demo import demo_certificates_issue
from inmates.demo import demo_assessments_seed
from programs import demo_data
from programs.demo_funding import demo_funding_seed
from programs.demo_movements import demo_movements_seed
from programs.demo_plans import demo_casework_seed
from programs.demo_seed import DEMO_PASSWORD, DemoSeeder


class Command(BaseCommand):
    help = "Fill the database with realistic, idempotent demo data. Every demo user's password is 'rehab-demo'."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off. Never use on a real database."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates demo people and logins with a published password, so it runs only with "
                "DEBUG on. If this really is a demo or test database, run it again with --force."
            )
        today = timezone.localdate()
        with transaction.atomic():
            counts = DemoSeeder(today=today).run()
            demo_movements_seed(today=today)
            demo_assessments_seed(today=today)
            counts.update(demo_funding_seed(today=today))
            counts.update(demo_casework_seed(today=today))
        width = max(len(label) for label in counts)
        for label, count in counts.items():
            self.stdout.write(f"{label:<{width}}  {count:>6}")
        demo_certificates_issue(stdout=self.stdout, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in as any of {', '.join(demo_data.USERS)} with the password '{DEMO_PASSWORD}'."
            )
        )
