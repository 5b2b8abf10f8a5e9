"""generate_dataset: exact counts at a small scale, the database's rules respected, reproducible, refuses a full DB."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce

from inmates.models import Inmate
from programs.dataset import BENCH_PASSWORD, Plan
from programs.models import Attendance, Cohort, Enrolment, Session
from rehab.models import Facility, Role, RoleAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TODAY = dt.date(2026, 11, 24)


def _generate(scale: float, *extra: str) -> str:
    out = io.StringIO()
    call_command("generate_dataset", "--scale", str(scale), "--seed", "7", "--today", TODAY.isoformat(), *extra,
                 stdout=out)
    return out.getvalue()


def test_the_plan_splits_the_base_exactly_and_keeps_the_first_facility_the_same_at_every_scale():
    small, base = Plan.for_scale(0.1), Plan.for_scale(1)

    assert base.totals() == {"facilities": 60, "inmates": 20_000, "cohorts": 2_000, "sessions": 200_000,
                             "attendance (target)": 2_000_000}
    assert small.totals() == {"facilities": 6, "inmates": 2_000, "cohorts": 200, "sessions": 20_000,
                              "attendance (target)": 200_000}
    assert (small.inmates[0], small.cohorts[0], small.sessions[0]) == (520, 52, 5_200)
    assert (base.inmates[0], base.cohorts[0], base.sessions[0]) == (520, 52, 5_200)


def test_a_thousandth_of_the_base_has_exact_counts_and_respects_every_rule():
    output = _generate(0.001)

    assert Facility.objects.count() == 1
    assert Inmate.objects.count() == 20
    assert Cohort.objects.count() == 2
    assert Session.objects.count() == 200
    # Attendance follows from the seed and the day: one row per seated person and held session.
    assert Attendance.objects.count() == 2_100
    assert "attendance" in output and "Done in" in output
    # Attendance only for held sessions, in the past; the future is scheduled or cancelled.
    assert not Attendance.objects.exclude(session__status=Session.Status.HELD).exists()
    assert not Session.objects.filter(status=Session.Status.HELD, date__gte=TODAY).exists()
    assert not Session.objects.filter(date__gte=TODAY, status=Session.Status.HELD).exists()
    assert not Session.objects.filter(status=Session.Status.CANCELLED, cancellation_reason="").exists()
    # Past sessions still only scheduled are the recent registers nobody took (the dashboard's overdue ones).
    assert not Session.objects.filter(status=Session.Status.SCHEDULED, date__lt=TODAY - dt.timedelta(days=14)).exists()
    # Seated people fit the cohort's room (or its own capacity).
    over = Cohort.objects.annotate(
        seats=Coalesce("capacity", "room__capacity"),
        seated=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEATED)),
    ).filter(seated__gt=F("seats"))
    assert not over.exists()
    # Everyone in a running or planned group is in custody.
    assert not Enrolment.objects.filter(
        status=Enrolment.Status.ENROLLED
    ).exclude(inmate__status=Inmate.Status.IN_CUSTODY).exists()
    # Each held session's register holds everyone seated, at most once (the unique constraint holds too).
    held = Session.objects.filter(status=Session.Status.HELD).annotate(rows=Count("attendance"))
    assert held.aggregate(most=Max("rows"))["most"] <= Cohort.objects.aggregate(m=Max("room__capacity"))["m"]
    assert not held.filter(rows=0).exists()


def test_bench_users_log_in_with_the_known_password_and_have_their_scope():
    _generate(0.001)
    users = get_user_model().objects.in_bulk(["bench-director", "bench-trainer", "bench-casemanager"],
                                             field_name="username")

    assert all(user.check_password(BENCH_PASSWORD) for user in users.values())
    facility = Facility.objects.get()
    assert RoleAssignment.objects.get(user=users["bench-director"], role=Role.DIRECTOR).facility == facility
    assert RoleAssignment.objects.get(user=users["bench-casemanager"], role=Role.CASE_MANAGER).facility == facility
    assert Cohort.objects.filter(trainers__user=users["bench-trainer"]).exists()
    # Everyone else has no usable password.
    others = get_user_model().objects.exclude(username__in=users)
    assert others.exists() and not any(user.has_usable_password() for user in others)


def test_a_full_database_is_refused_and_append_adds_the_same_data_again_under_new_names():
    _generate(0.001)
    first = list(Inmate.objects.order_by("pk").values_list("first_name", "last_name", "registration_number"))

    with pytest.raises(CommandError, match="already has facilities"):
        _generate(0.001)
    _generate(0.001, "--append")

    assert Facility.objects.count() == 2
    last_pk = max(Inmate.objects.filter(registration_number__in=[n for _f, _l, n in first]).values_list("pk", flat=True))
    second = list(
        Inmate.objects.filter(pk__gt=last_pk)
        .order_by("pk")
        .values_list("first_name", "last_name", "registration_number")
    )
    # Same seed: the same people, with registration numbers of the second facility.
    assert [(f, last) for f, last, _n in second] == [(f, last) for f, last, _n in first]
    assert second[0][2] == "XK-001-S7-00001" and first[0][2] == "XK-001-00001"


@pytest.mark.slow
def test_names_are_written_in_each_country_s_script():
    _generate(0.03)  # two facilities: Kosovo and Serbia

    kosovo, serbia = Facility.objects.order_by("pk")
    assert kosovo.prison_service.country == "XK" and serbia.prison_service.country == "RS"
    serbian = list(Inmate.objects.filter(current_facility=serbia).values_list("last_name", flat=True))
    cyrillic = [name for name in serbian if any("\u0400" <= char <= "\u04ff" for char in name)]
    assert 0.5 < len(cyrillic) / len(serbian) < 0.9  # mostly Cyrillic, some written in Latin
    albanian = Inmate.objects.filter(current_facility=kosovo).values_list("last_name", flat=True)
    assert not any("\u0400" <= char <= "\u04ff" for name in albanian for char in name)
