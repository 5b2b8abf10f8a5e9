"""Reads for programme screens, already narrowed to what a user may see."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from programs.models import Cohort, Session


def cohorts_delivered_by(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Cohort]:
    """Cohorts where the user's staff record is among the trainers."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.filter(trainers__user=user).select_related("course", "facility").distinct()


def sessions_delivered_by(*, user: AbstractBaseUser | AnonymousUser, start: dt.date, end: dt.date) -> QuerySet[Session]:
    return (
        Session.objects.filter(cohort__in=cohorts_delivered_by(user=user), date__range=(start, end))
        .select_related("cohort__course", "cohort__facility", "cohort__room")
        .order_by("date", "start_time")
    )
