"""The Celery application: `celery -A rehab worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")

app = Celery("rehab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# `celery -A rehab beat` (one per deployment) runs these. Certificates issued while Redis was down are queued
# by the first run after it is back.
app.conf.beat_schedule = {
    "certificates-requeue-pending": {"task": "certificates.requeue_pending", "schedule": 60.0},
}
