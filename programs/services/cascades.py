"""Training of trainers and the cascades that follow it: who is qualified to deliver a course, and the tree
training of trainers → cascade cohorts → people reached."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from programs.models import Cohort, Enrolment, Session, StaffMember, TrainerQualification
from programs.services.attendance import cohort_complete, enrolment_attendance_rate

# ---------------------------------------------------------------- qualification


def training_of_trainers_qualify(*, cohort: Cohort, by: AbstractBaseUser | None = None) -> list[TrainerQualification]:
    """Qualify the staff who completed a training of trainers to deliver its course.

    Completing is not enough on its own: like a certificate, the qualification needs the course's minimum
    attendance and, when a final assessment was recorded, a pass. Running it again changes nothing; a person
    already qualified for the course (by an earlier training) keeps their first qualification.
    """
    if not cohort.is_training_of_trainers:
        raise ValidationError(_("%(cohort)s is not a training of trainers.") % {"cohort": cohort.name}, code="not_tot")
    course = cohort.course
    created = []
    with transaction.atomic():
        completed = (
            cohort.enrolments.filter(status=Enrolment.Status.COMPLETED, staff_member__isnull=False)
            .exclude(final_result=Enrolment.Result.NOT_PASSED)
            .select_related("staff_member")
            .order_by("pk")
        )
        for enrolment in completed:
            rate = enrolment_attendance_rate(enrolment=enrolment)
            if rate is None or rate < course.min_attendance_percent:
                continue
            qualification, was_created = TrainerQualification.objects.get_or_create(
                staff_member=enrolment.staff_member,
                course=course,
                defaults={"qualified_on": cohort.end_date, "source_enrolment": enrolment},
            )
            if was_created:
                created.append(qualification)
    return created


def training_of_trainers_complete(
    *, cohort: Cohort, by: AbstractBaseUser | None, today: dt.date | None = None
) -> tuple[list[Enrolment], list[TrainerQualification]]:
    """Complete a training of trainers (the usual completion, unchanged) and qualify those who passed it."""
    if not cohort.is_training_of_trainers:
        raise ValidationError(_("%(cohort)s is not a training of trainers.") % {"cohort": cohort.name}, code="not_tot")
    with transaction.atomic():
        completed = cohort_complete(cohort=cohort, by=by, today=today)
        return completed, training_of_trainers_qualify(cohort=cohort, by=by)


# ---------------------------------------------------------------- cascade settings


def cohort_set_cascade(
    *,
    cohort: Cohort,
    is_training_of_trainers: bool,
    cascade_of: Cohort | None,
    mentor: StaffMember | None,
    by: AbstractBaseUser | None = None,
) -> Cohort:
    """Mark a cohort as a training of trainers, or as a cascade of one (with its supervising mentor)."""
    with transaction.atomic():
        locked = Cohort.objects.select_for_update(of=("self",)).get(pk=cohort.pk)
        if is_training_of_trainers and cascade_of is not None:
            raise ValidationError(_("A training of trainers cannot itself be a cascade."), code="tot_cascade")
        if not is_training_of_trainers and locked.cascades.exists():
            raise ValidationError(
                _("Cascade cohorts come from this training of trainers; it must stay one."), code="has_cascades"
            )
        if cascade_of is not None and cascade_of.pk == locked.pk:
            raise ValidationError(_("A cohort cannot be a cascade of itself."), code="self")
        locked.is_training_of_trainers = is_training_of_trainers
        locked.cascade_of = cascade_of
        locked.mentor = mentor
        locked.full_clean(exclude=["trainers"])
        locked.save(update_fields=["is_training_of_trainers", "cascade_of", "mentor"])
        return locked


def cascade_warnings(*, cohort: Cohort) -> list[str]:
    """What a programme officer should know about a cascade cohort; none of it forbids running it."""
    if cohort.cascade_of_id is None:
        return []
    warnings = []
    facilitators = list(cohort.trainers.all())
    qualified = set(
        TrainerQualification.objects.filter(course_id=cohort.course_id, staff_member__in=facilitators).values_list(
            "staff_member_id", flat=True
        )
    )
    for person in facilitators:
        if person.pk not in qualified:
            warnings.append(
                _("%(name)s is not qualified to deliver this course (no completed training of trainers).")
                % {"name": person.full_name}
            )
    if len(facilitators) < 2:
        warnings.append(_("A cascade is usually led by two facilitators."))
    if cohort.mentor_id is None:
        warnings.append(_("No supervising mentor is recorded."))
    return warnings


# ---------------------------------------------------------------- the tree


@dataclass
class CascadeBranch:
    cohort: Cohort
    sessions_held: int
    sessions_planned: int
    inmates_reached: int
    staff_reached: int

    @property
    def people_reached(self) -> int:
        return self.inmates_reached + self.staff_reached


@dataclass
class CascadeTree:
    training: Cohort
    trainees: int
    qualified: int
    branches: list[CascadeBranch] = field(default_factory=list)
    # Distinct people across all branches: someone in two cascade cohorts is reached once.
    inmates_reached: int = 0
    staff_reached: int = 0

    @property
    def people_reached(self) -> int:
        return self.inmates_reached + self.staff_reached

    @property
    def sessions_held(self) -> int:
        return sum(branch.sessions_held for branch in self.branches)


def _seated_count(field_name: str) -> Count:
    return Count(
        f"enrolments__{field_name}",
        filter=Q(enrolments__status__in=Enrolment.SEATED, **{f"enrolments__{field_name}__isnull": False}),
        distinct=True,
    )


def cascade_trees(*, trainings: QuerySet[Cohort], cascades: QuerySet[Cohort]) -> list[CascadeTree]:
    """The tree under each training of trainers, limited to the cascade cohorts in `cascades` (the user's scope).

    A fixed number of queries whatever the number of trainings and cascades: trainings with their counts,
    cascades with theirs (prefetched), and one count of distinct people per training.
    """
    branch_qs = (
        cascades.filter(cascade_of__isnull=False)
        .select_related("course", "facility", "mentor__organisation")
        .prefetch_related(Prefetch("trainers", queryset=StaffMember.objects.select_related("organisation")))
        .annotate(
            n_inmates=_seated_count("inmate"),
            n_staff=_seated_count("staff_member"),
        )
        .order_by("start_date", "name")
    )
    # Session counts in their own annotations would multiply with the enrolment join; count them apart.
    session_counts = {
        row["cohort_id"]: row
        for row in Session.objects.filter(cohort__in=branch_qs.values("pk"))
        .values("cohort_id")
        .annotate(
            held=Count("pk", filter=Q(status=Session.Status.HELD)),
            planned=Count("pk", filter=~Q(status=Session.Status.CANCELLED)),
        )
        .order_by()
    }
    trainings = list(
        trainings.filter(is_training_of_trainers=True)
        .select_related("course", "facility")
        .annotate(
            n_trainees=_seated_count("staff_member"),
            # Trainees now qualified for the course, whether by this training or an earlier one.
            n_qualified=Count(
                "enrolments__staff_member",
                filter=Q(
                    enrolments__status=Enrolment.Status.COMPLETED,
                    enrolments__staff_member__qualifications__course=F("course"),
                ),
                distinct=True,
            ),
        )
        .prefetch_related(Prefetch("cascades", queryset=branch_qs, to_attr="scoped_cascades"))
        .order_by("-start_date", "name")
    )
    reached = {
        row["cohort__cascade_of"]: row
        for row in Enrolment.objects.filter(
            cohort__in=cascades, cohort__cascade_of__in=[t.pk for t in trainings], status__in=Enrolment.SEATED
        )
        .values("cohort__cascade_of")
        .annotate(inmates=Count("inmate", distinct=True), staff=Count("staff_member", distinct=True))
        .order_by()
    }
    trees = []
    for training in trainings:
        tree = CascadeTree(training=training, trainees=training.n_trainees, qualified=training.n_qualified)
        for branch in training.scoped_cascades:
            counts = session_counts.get(branch.pk, {"held": 0, "planned": 0})
            tree.branches.append(
                CascadeBranch(
                    cohort=branch,
                    sessions_held=counts["held"],
                    sessions_planned=counts["planned"],
                    inmates_reached=branch.n_inmates,
                    staff_reached=branch.n_staff,
                )
            )
        people = reached.get(training.pk, {"inmates": 0, "staff": 0})
        tree.inmates_reached, tree.staff_reached = people["inmates"], people["staff"]
        trees.append(tree)
    return trees


def qualified_staff(*, course_ids: list[int]) -> QuerySet[TrainerQualification]:
    return TrainerQualification.objects.filter(course_id__in=course_ids).select_related("staff_member__organisation")

