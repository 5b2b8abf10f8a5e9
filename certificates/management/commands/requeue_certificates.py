from django.core.management.base import BaseCommand

from certificates.models import Certificate
from certificates.services import certificates_enqueue_rendering


class Command(BaseCommand):
    help = (
        "Queue rendering again for certificates still pending (say, the broker was down when they were issued). "
        "Safe while workers run: a certificate is rendered once however often it is queued."
    )

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="Also queue the failed ones, after resetting them.")

    def handle(self, *args, failed: bool = False, **options) -> None:
        if failed:
            Certificate.objects.filter(status=Certificate.Status.FAILED).update(
                status=Certificate.Status.PENDING, failure_code="", failure_params={}, failure_reason=""
            )
        ids = list(Certificate.objects.filter(status=Certificate.Status.PENDING).order_by("pk").values_list("pk", flat=True))
        queued = certificates_enqueue_rendering(ids)
        self.stdout.write(f"{queued} of {len(ids)} pending certificates queued for rendering.")
        if queued < len(ids):
            self.stderr.write("The broker could not be reached; the others wait and are queued once it answers.")
