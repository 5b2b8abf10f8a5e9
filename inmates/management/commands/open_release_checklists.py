"""`manage.py open_release_checklists`: open the pre-release checklist of everyone whose window has started.

Run it daily (cron or a scheduler): checklists then open on time even for people nobody looks at. It is
idempotent; the release pages open checklists the same way when they are viewed.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from inmates.release import pre_release_months, release_checklists_open


class Command(BaseCommand):
    help = "Create the missing pre-release tasks of people expected out within PRE_RELEASE_MONTHS months."

    def handle(self, *args, **options) -> None:
        created = release_checklists_open(today=timezone.localdate())
        self.stdout.write(f"{created} release tasks created (window: {pre_release_months()} months).")
